// The permission rules of DESIGN.md "Accounts and roles", in one place.
#include <algorithm>
#include <array>

#include "yilian/identity.h"

namespace yilian {

namespace {
constexpr std::array<std::string_view, 16> kPermissions{
    "read-chains", "check",        "submit",          "read-cases",   "supplement",    "withdraw",     "deliver",
    "read-tasks",  "work-tasks",   "override-claims", "read-overdue", "verify-audit",  "manage-accounts", "urge",
    "rate",        "follow-up"};
}  // namespace

std::string_view to_string(Permission p) { return kPermissions.at(static_cast<std::size_t>(p)); }

bool permits(const Actor& who, Permission p) {
  using P = Permission;
  switch (who.role) {
    case Role::admin: return true;
    case Role::system: return p != P::manage_accounts;
    case Role::window:
      return p == P::read_chains || p == P::check || p == P::submit || p == P::read_cases || p == P::supplement ||
             p == P::withdraw || p == P::deliver || p == P::read_overdue || p == P::rate;
    case Role::department:
      return !who.department.empty() &&
             (p == P::read_chains || p == P::read_cases || p == P::read_tasks || p == P::work_tasks);
    case Role::supervisor:
      return p == P::read_chains || p == P::read_cases || p == P::read_tasks || p == P::override_claims ||
             p == P::read_overdue || p == P::verify_audit || p == P::urge || p == P::follow_up;
    case Role::portal:
      return p == P::read_chains || p == P::check || p == P::submit || p == P::read_cases || p == P::supplement ||
             p == P::withdraw || p == P::rate;
  }
  return false;
}

bool may_see_case(const Actor& who, const CaseScope& scope) {
  if (!permits(who, Permission::read_cases)) return false;
  switch (who.role) {
    case Role::department:
      return std::find(scope.departments.begin(), scope.departments.end(), who.department) != scope.departments.end();
    case Role::portal: return !scope.owner.empty() && scope.owner == who.account;
    default: return true;
  }
}

bool may_work_task(const Actor& who, std::string_view task_department) {
  if (!permits(who, Permission::work_tasks)) return false;
  return who.role != Role::department || who.department == task_department;
}

bool sees_all_data(const Actor& who) { return who.role != Role::department; }

bool may_read_material(const Actor& who, const Chain& chain, std::string_view material) {
  if (!permits(who, Permission::read_cases)) return false;
  if (who.role != Role::department) return true;
  return std::any_of(chain.matters.begin(), chain.matters.end(), [&](const Matter& m) {
    return m.department == who.department &&
           std::any_of(m.materials.begin(), m.materials.end(), [&](const auto& ref) { return ref.id == material; });
  });
}

bool may_attach(const Actor& who) { return permits(who, Permission::supplement); }

}  // namespace yilian
