// `yilian account add|list|disable`: the accounts of a store
// (yilian/identity.h). API keys are printed once and kept only hashed.
#include <fmt/format.h>

#include <cstdio>
#include <iostream>
#include <string>

#include "commands.h"
#include "common.h"
#include "engine_support.h"
#include "yilian/identity.h"

namespace yilian::cli {
namespace cmd_account {

struct AccountOptions {
  std::string db, name, role, department;
  bool api_key = false, password_stdin = false, json = false;
};

std::unique_ptr<Accounts> open_accounts(const std::string& db) {
  auto a = Accounts::open(db);
  if (!a) {
    report(a.status());
    return nullptr;
  }
  return std::move(*a);
}

void add(const AccountOptions& o) {
  auto role = parse_role(o.role);
  if (!role) {
    usage_error(fmt::format("--role {}: expected admin, window, department, supervisor or portal", o.role));
    return;
  }
  std::string password;
  if (o.password_stdin && !std::getline(std::cin, password)) {
    usage_error("--password-stdin: no line on standard input");
    return;
  }
  auto accounts = open_accounts(o.db);
  if (!accounts) return;
  auto added = accounts->add(o.name, *role, o.department);
  if (!added) return report(added.status());
  if (o.password_stdin)
    if (Status s = accounts->set_password(o.name, password); !s) return report(s);
  std::string key;
  if (o.api_key) {
    auto k = accounts->issue_api_key(o.name);
    if (!k) return report(k.status());
    key = *k;
  }
  if (o.json) {
    nlohmann::json j{{"name", added->name}, {"role", to_string(added->role)}, {"department", added->department}};
    if (!key.empty()) j["api_key"] = key;
    print_json(j);
    return;
  }
  std::printf("account %s added (%s%s)\n", o.name.c_str(), std::string(to_string(*role)).c_str(),
              o.department.empty() ? "" : (", department " + o.department).c_str());
  if (!key.empty()) std::printf("API key (shown once; only its hash is kept): %s\n", key.c_str());
}

void list(const AccountOptions& o) {
  auto accounts = open_accounts(o.db);
  if (!accounts) return;
  auto all = accounts->list();
  if (!all) return report(all.status());
  if (o.json) {
    nlohmann::json items = nlohmann::json::array();
    for (const Account& a : *all)
      items.push_back({{"name", a.name}, {"role", to_string(a.role)}, {"department", a.department},
                       {"disabled", a.disabled}, {"password", a.has_password}, {"api_keys", a.api_keys}});
    print_json({{"accounts", items}});
    return;
  }
  for (const Account& a : *all)
    std::printf("%-20s %-10s %-14s %s%s, %zu API key%s\n", a.name.c_str(), std::string(to_string(a.role)).c_str(),
                a.department.empty() ? "-" : a.department.c_str(), a.disabled ? "DISABLED, " : "",
                a.has_password ? "password" : "no password", a.api_keys, a.api_keys == 1 ? "" : "s");
  std::printf("%zu account%s\n", all->size(), all->size() == 1 ? "" : "s");
}

}  // namespace cmd_account

void add_account(CLI::App& app) {
  using namespace cmd_account;  // this command's options and helpers
  auto o = std::make_shared<AccountOptions>();
  auto* cmd = app.add_subcommand("account", "Accounts of a store: who may use yilian serve, in which role");
  cmd->require_subcommand(1);
  cmd->footer(
      "Roles: admin (everything), window (综合窗口), department (one department's tasks; --department),\n"
      "supervisor (效能监察: reads everything), portal (一网通办 / 12345: its own cases).\n"
      "Examples:\n"
      "  yilian account add --db cases.db 王芳 --role window --password-stdin <<< 'a long password'\n"
      "  yilian account add --db cases.db edu-system --role department --department education --api-key\n"
      "  yilian account disable --db cases.db edu-system");

  auto* ad = cmd->add_subcommand("add", "Add an account; --api-key prints a new key once");
  add_db_option(*ad, o->db);
  ad->add_option("name", o->name, "Account name (a person's or a system's)")->required();
  ad->add_option("--role", o->role, "admin, window, department, supervisor or portal")->required();
  ad->add_option("--department", o->department, "A department account's department id");
  ad->add_flag("--api-key", o->api_key, "Issue an API key (Authorization: Bearer KEY)");
  ad->add_flag("--password-stdin", o->password_stdin, "Read a password (at least 8 characters) from standard input");
  ad->add_flag("--json", o->json, "Print one JSON document");
  ad->callback([o] { add(*o); });

  auto* ls = cmd->add_subcommand("list", "List the accounts (no secrets)");
  add_db_option(*ls, o->db);
  ls->add_flag("--json", o->json, "Print one JSON document");
  ls->callback([o] { list(*o); });

  auto* ds = cmd->add_subcommand("disable", "Disable an account: its keys and sessions stop working at once");
  add_db_option(*ds, o->db);
  ds->add_option("name", o->name, "Account name")->required();
  ds->callback([o] {
    auto accounts = open_accounts(o->db);
    if (!accounts) return;
    if (Status s = accounts->disable(o->name); !s) return report(s);
    std::printf("account %s disabled\n", o->name.c_str());
  });
}

}  // namespace yilian::cli
