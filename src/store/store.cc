#include "store/store.h"

#include <future>

namespace keel {

Status Store::Write(WriteBatch batch) {
  std::promise<Status> promise;
  std::future<Status> result = promise.get_future();
  Submit(std::move(batch), [&promise](Status s) { promise.set_value(std::move(s)); });
  return result.get();
}

}  // namespace keel
