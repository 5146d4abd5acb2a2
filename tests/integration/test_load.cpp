// Loading on first use, discovery and the metadata a host can read.
#include <algorithm>
#include <chrono>

#include "support.hpp"

namespace hotmod_test {
namespace {

using counter_fixture::State;

std::vector<std::string> names(const std::vector<hotmod::ModuleInfo>& infos) {
  std::vector<std::string> out;
  for (const auto& i : infos) out.push_back(i.name);
  std::sort(out.begin(), out.end());
  return out;
}

const hotmod::FunctionInfo* find_function(const hotmod::ModuleInfo& info, std::string_view name) {
  for (const auto& f : info.functions)
    if (f.name == name) return &f;
  return nullptr;
}

class LoadTest : public RuntimeTest {};

TEST_F(LoadTest, LoadsOnFirstUseOnly) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  EventLog events(rt.bus());

  auto before = rt.info("counter");
  ASSERT_TRUE(before.has_value());
  EXPECT_FALSE(before->loaded);
  EXPECT_TRUE(mapped_under(tmp_.path()).empty()) << "discovery must not open modules";
  EXPECT_EQ(events.count("module.loaded"), 0u);

  hotmod::Module m = load(rt);
  EXPECT_EQ(call_int(m, "version"), 1);
  EXPECT_TRUE(rt.info("counter")->loaded);
  EXPECT_EQ(events.count("module.loaded"), 1u);
  EXPECT_EQ(mapped_under(versions()).size(), 1u) << "opened from a versioned copy";
  EXPECT_TRUE(mapped_under(modules()).empty()) << "never opened from the module folder";

  // A second handle reuses the loaded version.
  hotmod::Module again = load(rt);
  EXPECT_EQ(call_int(again, "increment"), 1);
  EXPECT_EQ(call_int(m, "value"), 1);
  EXPECT_EQ(events.count("module.loaded"), 1u);
}

TEST_F(LoadTest, MetadataDescribesTheModule) {
  fs::path file = install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  const auto t0 = std::chrono::system_clock::now();
  hotmod::Module m = load(rt);
  const auto t1 = std::chrono::system_clock::now();

  auto info = rt.info("counter");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->name, "counter");
  EXPECT_EQ(info->kind, hotmod::ModuleKind::library);
  EXPECT_EQ(hotmod::to_string(info->kind), "library");
  EXPECT_EQ(info->path, file);
  EXPECT_TRUE(info->loaded);
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->description, "Counts, in several variants");
  EXPECT_GE(info->load_time, t0 - std::chrono::seconds(1));
  EXPECT_LE(info->load_time, t1 + std::chrono::seconds(1));
  EXPECT_EQ(info->reload_count, 0u);
  EXPECT_TRUE(info->capabilities.empty());
  EXPECT_EQ(info->state_type, "counter_fixture::State");
  EXPECT_EQ(info->state_size, sizeof(State));
  EXPECT_EQ(info->lingering_images, 0u);
  EXPECT_NE(
      std::find(info->interfaces.begin(), info->interfaces.end(), "counter_fixture::ICounter"),
      info->interfaces.end());

  const auto* add = find_function(*info, "add");
  ASSERT_NE(add, nullptr);
  EXPECT_EQ(add->signature, "int add(int a, int b)");
  EXPECT_EQ(add->doc, "Adds two numbers");
  const auto* greet = find_function(*info, "greet");
  ASSERT_NE(greet, nullptr);
  EXPECT_EQ(greet->signature, "string greet(string who, int times)");
  const auto* version = find_function(*info, "version");
  ASSERT_NE(version, nullptr);
  EXPECT_EQ(version->signature, "int version()");

  auto all = rt.modules();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].name, "counter");
  EXPECT_EQ(all[0].version, "1.0.0");

  install(fixtures::counter_v2);
  ASSERT_TRUE(rt.reload("counter").success);
  info = rt.info("counter");
  EXPECT_EQ(info->version, "2.0.0");
  EXPECT_EQ(info->reload_count, 1u);
  EXPECT_GE(info->load_time, t1 - std::chrono::seconds(1));
}

TEST_F(LoadTest, MetadataListsRequiredCapabilities) {
  install(fixtures::counter_caps);
  hotmod::RuntimeOptions opts = options();
  opts.module_capabilities["counter"] = {"net:listen"};
  hotmod::Runtime rt(opts);
  hotmod::Module m = load(rt);
  EXPECT_EQ(call_int(m, "version"), 2);
  auto info = rt.info("counter");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->capabilities, std::vector<std::string>{"net:listen"});
  // Checked at call time through hotmod::context().
  EXPECT_EQ(m.call("granted", "net:listen").value(), true);
  EXPECT_EQ(m.call("granted", "fs:write").value(), false);
}

// Nothing is granted by default: the refusal names the capability and the
// hotmod.json key that grants it; granting it to another module is no help.
TEST_F(LoadTest, UngrantedCapabilityRefusesTheLoadNamingTheKey) {
  install(fixtures::counter_caps);
  hotmod::RuntimeOptions opts = options();
  opts.module_capabilities["other"] = {"net:listen"};
  hotmod::Runtime rt(opts);
  auto m = rt.module("counter");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("module 'counter' needs capability 'net:listen', not granted; "
                                   "grant it in hotmod.json: \"capabilities\": {\"counter\": "
                                   "[\"net:listen\"]}"),
            std::string::npos)
      << m.error().message;
  EXPECT_FALSE(rt.capability_granted("counter", "net:listen"));

  opts.capabilities = {"*"};  // everything, to every module
  hotmod::Runtime all(opts);
  EXPECT_TRUE(all.module("counter").ok());
}

TEST_F(LoadTest, DiscoveryNamesNestedModulesWithoutOpeningThem) {
  install(fixtures::counter_v1);
  install(fixtures::nested, "tools/math.so");
  // Not shared objects at all: discovery must list them without reading them.
  write_text(modules() / "libgreeter.so", "not an ELF file");
  write_text(modules() / "a/b/c.so", "not an ELF file");
  // Not modules.
  write_text(modules() / "libfoo.so.1", "versioned library name");
  write_text(modules() / ".hidden/secret.so", "hidden folder");
  write_text(modules() / "notes.txt", "text");

  hotmod::Runtime rt(options());
  EXPECT_EQ(names(rt.modules()),
            (std::vector<std::string>{"a.b.c", "counter", "greeter", "tools.math"}));
  for (const auto& info : rt.modules()) EXPECT_FALSE(info.loaded) << info.name;
  EXPECT_EQ(rt.info("a.b.c")->path, modules() / "a/b/c.so");
  EXPECT_EQ(rt.info("greeter")->path, modules() / "libgreeter.so");
  EXPECT_TRUE(mapped_under(tmp_.path()).empty());

  hotmod::Module math = load(rt, "tools.math");
  auto product = math.call_as<double>("mul", 6, 7);
  ASSERT_TRUE(product.ok()) << product.error().message;
  EXPECT_EQ(product.value(), 42.0);
  EXPECT_EQ(rt.info("tools.math")->version, "0.3.1");
  EXPECT_FALSE(rt.info("counter")->loaded) << "loading one module loads no other";

  auto broken = rt.module("a.b.c");
  ASSERT_FALSE(broken.ok());
  EXPECT_NE(broken.error().message.find("a.b.c"), std::string::npos) << broken.error().message;
}

TEST_F(LoadTest, UnknownModuleIsAnError) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  auto m = rt.module("countr");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.error().message.find("countr"), std::string::npos) << m.error().message;
  EXPECT_FALSE(rt.info("countr").has_value());

  hotmod::ReloadStats stats = rt.reload("countr");
  EXPECT_FALSE(stats.success);
  EXPECT_EQ(stats.failure, hotmod::Failure::unknown_module);
}

TEST_F(LoadTest, ReloadOfAModuleNeverLoadedLoadsIt) {
  install(fixtures::counter_v1);
  hotmod::Runtime rt(options());
  hotmod::ReloadStats stats = rt.reload("counter");
  EXPECT_TRUE(stats.success) << stats.error;
  EXPECT_EQ(stats.version, "1.0.0");
  EXPECT_TRUE(rt.info("counter")->loaded);
}

TEST_F(LoadTest, ModuleConfigReachesOnLoad) {
  install(fixtures::counter_v1);
  hotmod::RuntimeOptions opts = options();
  opts.module_config["counter"] = hotmod::Value{{"speed", 3}};
  hotmod::Runtime rt(opts);
  EventLog events(rt.bus());
  hotmod::Module m = load(rt);
  auto loads = events.payloads("test.on_load");
  ASSERT_EQ(loads.size(), 1u);
  EXPECT_EQ(loads[0]["config"], (hotmod::Value{{"speed", 3}}));
  EXPECT_EQ(loads[0]["reload_count"], 0);
  EXPECT_EQ(loads[0]["restored"], false);
}

}  // namespace
}  // namespace hotmod_test
