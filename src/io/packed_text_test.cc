#include "io/packed_text.h"

#include <gtest/gtest.h>

#include <random>

namespace keel {
namespace {

std::string Prompt() {
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += "- Health score: " + std::to_string(50 + i) + "/100; renewal in " +
            std::to_string(90 - i) + " days; usage flat\n";
  }
  return text;
}

TEST(PackedTextTest, RoundTripsAndHoldsLessThanTheText) {
  const std::string text = Prompt();
  PackedText packed = PackedText::Pack(text);
  EXPECT_EQ(packed.size(), text.size());
  EXPECT_LT(packed.packed_size(), text.size() / 2);
  EXPECT_EQ(packed.Unpack(), text);
  EXPECT_EQ(packed.Unpack(), text);  // the value is not consumed
}

TEST(PackedTextTest, ShortAndRandomTextIsKeptAsIs) {
  EXPECT_EQ(PackedText::Pack("{\"model\": \"x\"}").Unpack(), "{\"model\": \"x\"}");
  std::mt19937 gen(7);
  std::string noise(4096, '\0');
  for (char& c : noise) c = static_cast<char>(gen());
  PackedText packed = PackedText::Pack(noise);
  EXPECT_EQ(packed.packed_size(), noise.size());
  EXPECT_EQ(packed.Unpack(), noise);
}

TEST(PackedTextTest, EmptyIsEmpty) {
  PackedText packed = PackedText::Pack("");
  EXPECT_TRUE(packed.empty());
  EXPECT_EQ(packed.Unpack(), "");
  EXPECT_TRUE(PackedText().empty());
}

}  // namespace
}  // namespace keel
