// The checks that need a workflow's whole graph: node ids, jump targets,
// reachability, cycles, and which names each node can read.
//
// The graph has one vertex per top-level node. Edges: `next` (or falling
// through to the following node), routes and `default`, `on_fail`,
// `on_reject`, `on_expiry`. Finalize and escalate nodes end a path; the loop
// inside an optimize node is internal and not an edge.
#include <algorithm>
#include <set>

#include "project/internal/field_reader.h"
#include "project/internal/load_context.h"

namespace keel::project_internal {

namespace {

constexpr std::string_view kReservedIds[] = {"input", "state", "escalate", "fail"};

struct Edge {
  size_t to;
  SourceLocation where;
};

struct IdEntry {
  size_t top;  // index of the top-level node that is or holds it
  bool is_top;
  SourceLocation where;
};

class GraphChecker {
 public:
  GraphChecker(const WorkflowDef& workflow, const std::vector<NodeInfo>& infos, Diagnostics* diags)
      : nodes_(workflow.nodes), infos_(infos), diags_(diags), edges_(nodes_.size()) {}

  void Run() {
    if (nodes_.empty()) return;
    IndexIds();
    BuildEdges();
    std::vector<bool> reachable = Reachable();
    for (size_t i = 1; i < nodes_.size(); ++i) {
      if (!reachable[i]) {
        diags_->Add(infos_[i].id_where, "node '" + nodes_[i].id +
                                            "' is unreachable from the first node '" +
                                            nodes_[0].id + "'");
      }
    }
    FindCycles();
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (reachable[i]) CheckScope(i, reachable);
    }
  }

 private:
  void AddId(const std::string& id, size_t top, bool is_top, const SourceLocation& where) {
    if (id.empty()) return;
    for (std::string_view reserved : kReservedIds) {
      if (id == reserved) diags_->Add(where, "node id '" + id + "' is reserved");
    }
    auto [it, inserted] = ids_.try_emplace(id, IdEntry{top, is_top, where});
    if (!inserted) {
      diags_->Add(where, "duplicate node id '" + id + "' (first defined at line " +
                             std::to_string(it->second.where.line) + ")");
    }
  }

  void IndexIds() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      AddId(nodes_[i].id, i, true, infos_[i].id_where);
      const std::vector<NodeDef>& children =
          nodes_[i].kind == NodeKind::kMap ? nodes_[i].body : nodes_[i].branches;
      for (size_t c = 0; c < children.size() && c < infos_[i].children.size(); ++c) {
        AddId(children[c].id, i, false, infos_[i].children[c].id_where);
      }
    }
  }

  void ReportUnknownTarget(const Target& target) {
    std::string message = "'" + target.field + "' names ";
    auto it = ids_.find(target.id);
    if (it != ids_.end()) {
      message += "'" + target.id + "', which is inside '" + nodes_[it->second.top].id +
                 "'; only top-level nodes can be jumped to";
    } else {
      message += "unknown node '" + target.id + "'";
      std::vector<std::string_view> names;
      for (const NodeDef& node : nodes_) names.push_back(node.id);
      std::string suggestion = Suggest(target.id, names);
      if (!suggestion.empty()) message += " (did you mean '" + suggestion + "'?)";
    }
    if (target.field == "on_reject" || target.field == "on_expiry") {
      message += "; expected a node id, escalate or fail";
    }
    diags_->Add(target.where, std::move(message));
  }

  // An explicit successor that names no node is reported and then ignored,
  // so that the node still falls through and one typo is one diagnostic.
  void BuildEdges() {
    for (size_t i = 0; i < nodes_.size(); ++i) {
      const NodeDef& node = nodes_[i];
      bool replaces_fallthrough = false;
      for (const Target& target : infos_[i].targets) {
        bool terminal_ok = target.field == "on_reject" || target.field == "on_expiry";
        if (terminal_ok && (target.id == "escalate" || target.id == "fail")) continue;
        auto it = ids_.find(target.id);
        if (it == ids_.end() || !it->second.is_top) {
          ReportUnknownTarget(target);
          continue;
        }
        edges_[i].push_back(Edge{it->second.top, target.where});
        bool is_next = target.field == "next" && target.id == node.next;
        replaces_fallthrough |= is_next || target.field == "default";
      }
      bool ends_path = node.kind == NodeKind::kFinalize || node.kind == NodeKind::kEscalate;
      if (!ends_path && !replaces_fallthrough && i + 1 < nodes_.size()) {
        edges_[i].push_back(Edge{i + 1, infos_[i].id_where});
      }
    }
  }

  std::vector<bool> Reachable() const {
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<size_t> stack = {0};
    seen[0] = true;
    while (!stack.empty()) {
      size_t u = stack.back();
      stack.pop_back();
      for (const Edge& e : edges_[u]) {
        if (!seen[e.to]) {
          seen[e.to] = true;
          stack.push_back(e.to);
        }
      }
    }
    return seen;
  }

  // Depth-first search; every edge back into the current path closes a cycle.
  void FindCycles() {
    std::vector<int> state(nodes_.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<size_t> path;
    for (size_t i = 0; i < nodes_.size(); ++i) {
      if (state[i] == 0) Visit(i, &state, &path);
    }
  }

  void Visit(size_t u, std::vector<int>* state, std::vector<size_t>* path) {
    (*state)[u] = 1;
    path->push_back(u);
    for (const Edge& e : edges_[u]) {
      if ((*state)[e.to] == 1) {
        std::string cycle;
        auto start = std::find(path->begin(), path->end(), e.to);
        for (auto it = start; it != path->end(); ++it) cycle += nodes_[*it].id + " -> ";
        diags_->Add(e.where, "cycle: " + cycle + nodes_[e.to].id);
      } else if ((*state)[e.to] == 0) {
        Visit(e.to, state, path);
      }
    }
    path->pop_back();
    (*state)[u] = 2;
  }

  // The names node `i` can read: input, state, and every node on some path
  // from the first node to `i` (with the branches of parallel nodes).
  std::set<std::string> Visible(size_t i, const std::vector<bool>& reachable) const {
    std::set<std::string> names = {"input", "state"};
    std::vector<bool> seen(nodes_.size(), false);
    std::vector<size_t> stack = {i};
    while (!stack.empty()) {
      size_t v = stack.back();
      stack.pop_back();
      for (size_t u = 0; u < nodes_.size(); ++u) {
        bool precedes = std::any_of(edges_[u].begin(), edges_[u].end(),
                                    [v](const Edge& e) { return e.to == v; });
        if (!precedes || seen[u] || !reachable[u]) continue;
        seen[u] = true;
        stack.push_back(u);
        if (u == i) continue;  // on a cycle, already reported
        names.insert(nodes_[u].id);
        for (const NodeDef& branch : nodes_[u].branches) names.insert(branch.id);
      }
    }
    return names;
  }

  void CheckReads(const std::vector<NameUse>& reads, const std::set<std::string>& visible,
                  const std::string& node_id, const std::string& extras) {
    for (const NameUse& use : reads) {
      if (visible.count(use.name) != 0) continue;
      diags_->Add(use.where, std::string(use.from_template ? "template" : "expression") +
                                 " reads '" + use.name + "', which is not input, state, " + extras +
                                 "or a node that runs before '" + node_id + "'");
    }
  }

  void CheckScope(size_t i, const std::vector<bool>& reachable) {
    std::set<std::string> visible = Visible(i, reachable);
    const NodeDef& node = nodes_[i];
    CheckReads(infos_[i].reads, visible, node.id, "");
    for (const NodeInfo& child : infos_[i].children) {
      if (node.kind != NodeKind::kMap) {
        CheckReads(child.reads, visible, node.id, "");
        continue;
      }
      std::set<std::string> body_visible = visible;
      body_visible.insert(node.as);
      body_visible.insert(node.as + "_index");
      CheckReads(child.reads, body_visible, node.id, node.as + ", " + node.as + "_index, ");
    }
  }

  const std::vector<NodeDef>& nodes_;
  const std::vector<NodeInfo>& infos_;
  Diagnostics* diags_;
  std::map<std::string, IdEntry> ids_;
  std::vector<std::vector<Edge>> edges_;
};

}  // namespace

void CheckWorkflowGraph(const WorkflowDef& workflow, const std::vector<NodeInfo>& infos,
                        Diagnostics* diags) {
  GraphChecker(workflow, infos, diags).Run();
}

}  // namespace keel::project_internal
