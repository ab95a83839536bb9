// Engine lifecycle: starting runs, claiming runnable runs from the store,
// keeping leases alive, and retiring runs that came to rest.
#include "engine/engine.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "core/ids.h"
#include "engine/run.h"
#include "engine/run_executor.h"
#include "engine/run_internal.h"
#include "engine/thread_pool.h"
#include "io/event_loop.h"
#include "policy/tool_invoker.h"

namespace keel {
namespace {

std::string HostName() {
  char buf[256] = {0};
  gethostname(buf, sizeof(buf) - 1);
  return buf;
}

}  // namespace

namespace {

const NodeDef* FindNode(const std::vector<NodeDef>& nodes, const std::string& id) {
  for (const NodeDef& node : nodes) {
    if (node.id == id) return &node;
    if (const NodeDef* found = FindNode(node.branches, id)) return found;
    if (const NodeDef* found = FindNode(node.body, id)) return found;
  }
  return nullptr;
}

}  // namespace

Status CheckApprovalEdit(const Project& project, const std::string& workflow,
                         const std::string& node, const Json& edited) {
  if (edited.is_null()) return Status();
  auto wf = project.workflows.find(workflow);
  // The run's project changed since it parked: nothing to check against.
  if (wf == project.workflows.end()) return Status();
  const NodeDef* def = FindNode(wf->second.nodes, node);
  if (def == nullptr || !def->proposal_schema) return Status();
  Status valid = def->proposal_schema->Validate(edited);
  if (valid.ok()) return valid;
  return InvalidArgument("the edit does not match approval node '" + node +
                         "' of workflow '" + workflow + "': " + valid.message());
}

policy::InvokerOptions Engine::InvokerOptionsFor(const Project& project) {
  policy::InvokerOptions options;
  options.tools = tools_;
  options.clock = clock_;
  options.timers = loop_.get();
  options.post = [pool = pool_.get()](std::function<void()> fn) { pool->Post(std::move(fn)); };
  options.find_def = [&project](const std::string& name) { return project.FindTool(name); };
  options.agent_allows = [&project](const std::string& agent, const std::string& tool) {
    const AgentDef* def = project.FindAgent(agent);
    return def != nullptr && std::find(def->tools.begin(), def->tools.end(), tool) !=
                                 def->tools.end();
  };
  options.workspace_rate_limit = project.config.workspace_rate_limit;
  return options;
}

int Engine::DefaultThreads() {
  // One per core. (One per core but one, to leave the store's commit thread
  // a core, paid while every step waited on its commit; now only a node's
  // first step does, and the second thread wins on two cores: see
  // bench/README.md, "Steps inside a node do not wait for their commit".)
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

Engine::Engine(const Project& project, Store* store, const ToolRegistry* tools,
               const ModelRouter* models, Clock* clock, EngineOptions options)
    : project_(project), store_(store), tools_(tools), models_(models), clock_(clock),
      options_(options) {
  owner_ = LeaseOwner{NewId("worker_"), HostName(), static_cast<int64_t>(getpid())};
  if (options_.threads <= 0) options_.threads = DefaultThreads();
  loop_ = std::make_unique<EventLoop>(clock_);
  pool_ = std::make_unique<ThreadPool>(options_.threads);
  invoker_ = std::make_unique<policy::ToolInvoker>(InvokerOptionsFor(project_));
  model_gate_ = std::make_unique<ModelGate>(options_.max_model_calls_in_flight);
  executor_ = std::make_unique<RunExecutor>(this);
  for (const auto& [name, workflow] : project_.workflows) {
    indexes_[name] = std::make_unique<NodeIndex>(workflow);
  }
}

Engine::~Engine() { Stop(); }

EventLoop* Engine::loop() const { return loop_.get(); }

void Engine::SetListener(std::function<void(const RunOutcome&)> listener) {
  listener_ = std::move(listener);
}

void Engine::Start() {
  if (running_.exchange(true)) return;
  loop_->Start();
  if (options_.claim) ClaimTick();
  RenewTick();
}

void Engine::Stop() {
  if (!running_.exchange(false)) return;
  loop_->Stop();
  // Tasks already queued finish; their continuations are dropped, and runs
  // still in flight stay in the store for the next worker to resume.
  pool_->Shutdown();
  store_->Flush();
  parked_.Clear();
  std::lock_guard<std::mutex> lock(mu_);
  active_.clear();
  idle_cv_.notify_all();
}

Result<RunRecord> Engine::NewRunRecord(const std::string& workflow, const Json& input,
                                       const WorkflowDef** def) {
  *def = project_.FindWorkflow(workflow);
  if (!*def) return NotFound("unknown workflow '" + workflow + "'");
  if ((*def)->input) {
    Status valid = (*def)->input->Validate(input);
    if (!valid.ok()) {
      return InvalidArgument("input for workflow '" + workflow + "': " + valid.message());
    }
  }
  RunRecord r;
  r.run_id = NewOrderedId("run_");
  r.workflow = workflow;
  r.input = input;
  r.trace_id = TraceHex(16);
  r.created_us = r.updated_us = clock_->NowMicros();
  if ((*def)->entity_key) {
    Json scope = {{"input", input}};
    Result<Json> key = (*def)->entity_key->Evaluate(ExprContext{&scope, clock_->NowSeconds()});
    if (!key.ok()) return InvalidArgument("entity_key: " + key.status().message());
    r.entity_key = key->is_string() ? key->get<std::string>() : key->dump();
  }
  return r;
}

Result<std::string> Engine::EnqueueRun(const std::string& workflow, const Json& input) {
  const WorkflowDef* def = nullptr;
  Result<RunRecord> record = NewRunRecord(workflow, input, &def);
  if (!record.ok()) return record.status();
  record->status = RunStatus::kPending;
  WriteBatch batch;
  batch.new_run = *record;
  KEEL_RETURN_IF_ERROR(store_->Write(std::move(batch)));
  return record->run_id;
}

Result<std::string> Engine::StartRun(const std::string& workflow, const Json& input) {
  if (ActiveRuns() >= static_cast<size_t>(options_.max_runs_in_flight)) {
    // Full: the run waits in the store; this engine starts it when a run
    // retires (and any worker may claim it before then).
    Result<std::string> id = EnqueueRun(workflow, input);
    if (id.ok()) {
      std::lock_guard<std::mutex> lock(mu_);
      backlog_.push_back(*id);
    }
    return id;
  }
  const WorkflowDef* def = nullptr;
  Result<RunRecord> record = NewRunRecord(workflow, input, &def);
  if (!record.ok()) return record.status();
  int64_t now = clock_->NowMicros();
  record->status = RunStatus::kRunning;
  record->lease_owner = owner_.owner_id;
  record->lease_host = owner_.host;
  record->lease_pid = owner_.pid;
  record->lease_expires_us = now + options_.lease_us;

  auto run = std::make_shared<Run>();
  run->record = std::move(record).value();
  run->StartPlan(PlanOrigin(run->record.created_us));
  run->workflow = def;
  run->index = indexes_.at(run->record.workflow).get();
  WriteBatch batch;
  batch.new_run = run->record;
  KEEL_RETURN_IF_ERROR(BeginRecord(*run, &batch));
  std::string id = run->record.run_id;
  Adopt(run);  // a new id: never already active
  run->Post(pool_.get(), [this, run, batch = std::move(batch)]() mutable {
    executor_->Begin(run, std::move(batch));
  });
  return id;
}

Status Engine::BeginRecord(Run& run, WriteBatch* batch) {
  run.run_span_id = TraceHex(8);
  run.scope = {{"input", run.record.input}, {"state", Json::object()}};
  if (!run.record.entity_key.empty()) {
    Result<std::optional<StateVector>> state = store_->GetState(run.record.entity_key);
    if (!state.ok()) return state.status();
    if (state->has_value()) {
      run.scope["state"] = (*state)->data;
      run.state_version = (*state)->version;
    }
  }
  batch->events.push_back(Event{{}, 0, 0, EventType::kRunStarted, "", "",
                                {{"input", run.record.input},
                                 {"state", run.scope["state"]},
                                 {"state_version", run.state_version},
                                 {"run_span_id", run.run_span_id}}});
  return Status();
}

bool Engine::Adopt(std::shared_ptr<Run> run) {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.try_emplace(run->record.run_id, std::move(run)).second;
}

bool Engine::IsActive(const std::string& run_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.count(run_id) > 0;
}

void Engine::Retire(const std::string& run_id, const RunOutcome& outcome) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(run_id);
  }
  if (listener_) listener_(outcome);
  StartFromBacklog();
  idle_cv_.notify_all();
}

void Engine::Abandon(const std::string& run_id, const Status& why) {
  std::fprintf(stderr, "keel: run %s left to be resumed later: %s\n", run_id.c_str(),
               why.ToString().c_str());
  {
    std::lock_guard<std::mutex> lock(mu_);
    active_.erase(run_id);
  }
  StartFromBacklog();
  idle_cv_.notify_all();
}

void Engine::StartFromBacklog() {
  std::vector<std::string> ready;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (!backlog_.empty() &&
           active_.size() + ready.size() < static_cast<size_t>(options_.max_runs_in_flight)) {
      ready.push_back(backlog_.front());
      backlog_.pop_front();
    }
  }
  // A run another worker claimed meanwhile is simply not ours any more.
  for (const std::string& id : ready) pool_->Post([this, id] { ResumeRun(id); });
}

size_t Engine::ActiveRuns() const {
  std::lock_guard<std::mutex> lock(mu_);
  return active_.size();
}

void Engine::Poke() {
  if (running_) pool_->Post([this] { ClaimNow(); });
}

void Engine::ClaimTick() {
  if (!running_) return;
  pool_->Post([this] { ClaimNow(); });
  loop_->After(options_.claim_interval_us, [this] { ClaimTick(); });
}

void Engine::RenewTick() {
  if (!running_) return;
  pool_->Post([this] {
    store_->RenewLeases(owner_, clock_->NowMicros(), options_.lease_us);
    parked_.DropExpired(ThreadPool::NowUs());
  });
  loop_->After(options_.lease_us / 3, [this] { RenewTick(); });
}

void Engine::ClaimNow() {
  if (!running_ || claiming_.exchange(true)) return;
  int room = options_.max_runs_in_flight - static_cast<int>(ActiveRuns());
  if (room > 0) {
    Result<std::vector<std::string>> ids =
        store_->ClaimRuns(owner_, clock_->NowMicros(), options_.lease_us, room);
    if (ids.ok()) {
      for (const std::string& id : *ids) ResumeClaimed(id);
    }
  }
  claiming_ = false;
}

void Engine::Decide(const std::string& approval_id, ApprovalStatus decision, Json edited,
                    std::string reason, std::string by, std::function<void(Status)> done) {
  Result<Approval> found = store_->GetApproval(approval_id);
  if (!found.ok()) return done(found.status());
  Approval a = std::move(found).value();
  int64_t now = clock_->NowMicros();
  if (a.status != ApprovalStatus::kPending) {
    return done(FailedPrecondition("approval " + approval_id + " is " +
                                   ApprovalStatusName(a.status)));
  }
  if (now >= a.expires_us) {
    return done(FailedPrecondition("approval " + approval_id + " expired"));
  }
  Status edit_ok = CheckApprovalEdit(project_, a.workflow, a.node, edited);
  if (!edit_ok.ok()) return done(edit_ok);
  a.status = decision;
  a.edited = std::move(edited);
  a.reason = std::move(reason);
  a.decided_by = std::move(by);
  a.decided_us = now;
  WriteBatch batch;
  batch.claim_parked = ParkedRunClaim{a.run_id, owner_, now + options_.lease_us};
  auto index = indexes_.find(a.workflow);
  const NodeDef* node = index == indexes_.end() ? nullptr : index->second->Find(a.node);
  if (node && node->kind != NodeKind::kApproval) node = nullptr;
  if (node) {
    // The approval node completes in the decision's own batch: the resumed
    // run walks on from it without another commit.
    batch.events = RunExecutor::ApprovalDecidedEvents(a, *node, *index->second);
    for (Event& e : batch.events) {
      e.run_id = a.run_id;
      e.ts_us = now;
    }
    batch.claim_parked->continue_log = true;
    batch.writer = owner_.owner_id;
  }
  std::string run_id = a.run_id;
  // The run as it parked, when it parked here moments ago: its log is what
  // it holds plus this batch's events (see parked_runs.h).
  std::shared_ptr<Run> kept = node ? parked_.Take(approval_id, ThreadPool::NowUs()) : nullptr;
  Json completion = kept ? batch.events.back().payload : Json();
  int64_t events = static_cast<int64_t>(batch.events.size());
  batch.approval = ApprovalWrite{std::move(a), false, ApprovalStatus::kPending};
  if (node) ++steps_completed_;  // counted as the walk counts its own (RunExecutor::CommitOr)
  // Resuming waits in the pool like the run's own work at the approval node.
  int64_t due_us = ThreadPool::NowUs();
  std::string node_id;
  if (node) {
    node_id = node->id;
    due_us = PlannedDueUs(kept ? kept->origin_us : StoredPlanOrigin(run_id), *index->second,
                          node_id, 0);
  }
  store_->Submit(std::move(batch), [=, this, kept = std::move(kept), done = std::move(done),
                                    completion = std::move(completion)](Status s) mutable {
    // Off the commit thread: resuming reads the run's log.
    pool_->PostBy(
        [=, this, kept = std::move(kept), completion = std::move(completion)]() mutable {
          if (!s.ok()) return done(FailedPrecondition(s.message()));
          if (!kept) return done(ResumeClaimed(run_id));
          ResumeKept(std::move(kept), node_id, std::move(completion), events);
          done(Status());
        },
        due_us);
  });
}

Status Engine::ResumeRun(const std::string& run_id) {
  Result<bool> claimed =
      store_->ClaimRun(owner_, run_id, clock_->NowMicros(), options_.lease_us);
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return FailedPrecondition("run " + run_id + " is not runnable here");
  return ResumeClaimed(run_id);
}

Status Engine::ResumeClaimed(const std::string& run_id) {
  Status resumed = Resume(run_id);
  // A run that cannot be loaded (its workflow is gone, a row is damaged)
  // would be claimed again every time its lease lapsed: fail it visibly. A
  // store that is unavailable right now is left to retry.
  if (!resumed.ok() && resumed.code() != StatusCode::kUnavailable) {
    WriteBatch batch;
    batch.run_update = ReleaseRun(run_id, RunStatus::kFailed);
    batch.run_update->error = "cannot resume: " + resumed.message();
    store_->Write(std::move(batch));
  }
  return resumed;
}

void Engine::ResumeKept(std::shared_ptr<Run> run, const std::string& node, Json completion,
                        int64_t events) {
  // Due as its plan has it, like a resumed run (Run::Stop made it due at once).
  run->due_us.store(run->origin_us, std::memory_order_relaxed);
  if (!Adopt(run)) return;  // resumed meanwhile by another path
  // On the strand: the task that parked the run may not have ended yet.
  run->Post(pool_.get(), [this, run, node, completion = std::move(completion), events]() mutable {
    // Numbered by the store right after the request, which the kept run
    // made last (ParkedRunClaim::continue_log).
    run->next_seq += events;
    run->stopped = false;
    executor_->ContinueDecided(run, node, std::move(completion));
  });
}

Status Engine::Resume(const std::string& run_id) {
  // A worker too busy to renew its leases in time claims its own runs again
  // when they lapse: the run is already executing here, and the claim only
  // renewed its lease. A second copy would execute it twice.
  if (IsActive(run_id)) return Status();
  Result<RunRecord> record = store_->GetRun(run_id);
  if (!record.ok()) return record.status();
  auto run = std::make_shared<Run>();
  run->record = std::move(record).value();
  // Its plan started when it was created: a run that waited (for a human, a
  // worker, or a crash to be noticed) is behind it, and goes first.
  run->StartPlan(PlanOrigin(run->record.created_us));
  run->workflow = project_.FindWorkflow(run->record.workflow);
  if (!run->workflow) {
    // The project no longer has this workflow: fail the run visibly rather
    // than leave it claimable forever.
    return FailedPrecondition("workflow '" + run->record.workflow + "' is not in the project");
  }
  run->index = indexes_.at(run->record.workflow).get();
  Result<std::vector<Event>> events = store_->LoadLatestEvents(run_id);
  if (!events.ok()) return events.status();
  std::optional<WriteBatch> first;
  if (events->empty()) {
    // Enqueued, never started: begin it here.
    first.emplace();
    KEEL_RETURN_IF_ERROR(BeginRecord(*run, &*first));
  } else {
    KEEL_RETURN_IF_ERROR(RunExecutor::Replay(*run, std::move(events).value()));
  }
  if (run->run_span_id.empty()) run->run_span_id = TraceHex(8);
  if (!Adopt(run)) return Status();  // resumed meanwhile by another path
  run->Post(pool_.get(), [this, run, first = std::move(first)]() mutable {
    if (first) {
      executor_->Begin(run, std::move(*first));
    } else {
      executor_->Walk(run);
    }
  });
  return Status();
}

void Engine::WaitIdle() {
  std::unique_lock<std::mutex> lock(mu_);
  while (running_) {
    if (active_.empty()) {
      lock.unlock();
      Result<bool> more = store_->HasRunnable(clock_->NowMicros());
      lock.lock();
      if (more.ok() && !*more && active_.empty()) return;
      if (!more.ok()) return;
    }
    idle_cv_.wait_for(lock, std::chrono::milliseconds(50));
  }
}

int64_t Engine::PlannedDueUs(int64_t origin_us, const NodeIndex& index, const std::string& node,
                             int rounds_done) const {
  return origin_us + PlannedOffsetUs(index, node, rounds_done, ModelLatencyUs());
}

int64_t Engine::StoredPlanOrigin(const std::string& run_id) const {
  Result<RunRecord> record = store_->GetRun(run_id);
  // Unreadable: resuming will report what is wrong; plan it as starting now.
  return record.ok() ? PlanOrigin(record->created_us) : ThreadPool::NowUs();
}

int64_t Engine::PlanOrigin(int64_t created_us) const {
  return ThreadPool::NowUs() - std::max<int64_t>(0, clock_->NowMicros() - created_us);
}

void Engine::NoteModelLatency(int64_t us) {
  // An average over about the last eight calls: it follows a provider that
  // slows down within seconds, and one odd call moves it little.
  int64_t seen = model_latency_us_.load(std::memory_order_relaxed);
  int64_t next;
  do {
    next = seen == 0 ? us : seen + (us - seen) / 8;
  } while (!model_latency_us_.compare_exchange_weak(seen, next, std::memory_order_relaxed));
}

}  // namespace keel
