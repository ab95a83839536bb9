// LoadProject: the stages in dependency order (config, prompts, tools,
// agents, workflows, then the agent checks that need every workflow).
#include "project/project_loader.h"

#include <algorithm>
#include <filesystem>

#include "project/internal/load_context.h"

namespace keel {

namespace project_internal {

namespace {

namespace fs = std::filesystem;

// Files directly in `root`/`sub` whose name ends with one of `exts`, as
// sorted paths relative to `root` (sorted so diagnostics come in a stable order).
std::vector<std::string> ListFiles(const fs::path& root, const std::string& sub,
                                   std::initializer_list<std::string_view> exts) {
  std::vector<std::string> files;
  std::error_code ec;
  for (fs::directory_iterator it(root / sub, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    for (std::string_view ext : exts) {
      if (name.size() > ext.size() &&
          name.compare(name.size() - ext.size(), ext.size(), ext) == 0) {
        files.push_back(sub + "/" + name);
        break;
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// Runs `load` on every YAML file in `sub`. Exceptions from yaml-cpp stop here
// so that none crosses the loader's API.
template <typename Fn>
void LoadEach(LoadContext* ctx, const std::string& sub, Fn load) {
  for (const std::string& rel : ListFiles(ctx->root, sub, {".yaml", ".yml"})) {
    std::optional<YamlFile> file = ReadYamlFile(ctx->root, rel, &ctx->diags);
    if (!file) continue;
    try {
      load(ctx, *file);
    } catch (const std::exception& e) {
      ctx->diags.Add(SourceLocation{rel, 0, 0}, std::string("cannot load: ") + e.what());
    }
  }
}

}  // namespace

void LoadPartials(LoadContext* ctx) {
  for (const std::string& rel : ListFiles(ctx->root, "prompts", {".mustache"})) {
    ctx->templates.Read(rel, SourceLocation{rel, 0, 0}, "template file");
    std::string stem = fs::path(rel).stem().string();
    ctx->project.partials[stem] = ctx->templates.Text(rel);
  }
}

}  // namespace project_internal

Result<Project> LoadProject(const std::string& dir, const LoadOptions& options,
                            std::vector<Diagnostic>* diagnostics) {
  namespace fs = std::filesystem;
  using namespace project_internal;  // NOLINT: the stages live there
  std::error_code ec;
  fs::path root = fs::absolute(dir, ec).lexically_normal();
  if (!root.has_filename()) root = root.parent_path();  // "dir/" -> "dir"
  std::vector<Diagnostic> local;
  std::vector<Diagnostic>& out = diagnostics != nullptr ? *diagnostics : local;
  out.clear();
  if (ec || !fs::is_directory(root, ec)) {
    out.push_back(Diagnostic{SourceLocation{dir, 0, 0}, "project folder does not exist"});
    return InvalidArgument(out.back().ToString());
  }
  LoadContext ctx(root.string(), options);
  try {
    LoadConfig(&ctx);
    LoadPartials(&ctx);
  } catch (const std::exception& e) {
    ctx.diags.Add(SourceLocation{"keel.yaml", 0, 0}, std::string("cannot load: ") + e.what());
  }
  LoadEach(&ctx, "tools", LoadTool);
  CheckToolReferences(&ctx);
  LoadEach(&ctx, "agents", LoadAgent);
  LoadEach(&ctx, "workflows", LoadWorkflow);
  CheckAgentScopes(&ctx);
  out = std::move(ctx.diags.mutable_list());
  if (!out.empty()) {
    std::string message;
    for (const Diagnostic& d : out) message += (message.empty() ? "" : "\n") + d.ToString();
    return InvalidArgument(std::move(message));
  }
  ctx.project.root = root.string();
  return std::move(ctx.project);
}

}  // namespace keel
