#include "yilian/actor.h"

#include <fmt/format.h>

#include <array>

namespace yilian {

namespace {
constexpr std::array<std::string_view, 6> kRoles{"admin", "window", "department", "supervisor", "portal", "system"};
constexpr std::array<std::string_view, 6> kChannels{"window", "online", "hotline", "department", "system", "cli"};

template <typename E, std::size_t N>
std::optional<E> parse(const std::array<std::string_view, N>& names, std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}
}  // namespace

std::string_view to_string(Role r) { return kRoles.at(static_cast<std::size_t>(r)); }
std::string_view to_string(ActorChannel c) { return kChannels.at(static_cast<std::size_t>(c)); }
std::optional<Role> parse_role(std::string_view s) { return parse<Role>(kRoles, s); }
std::optional<ActorChannel> parse_actor_channel(std::string_view s) { return parse<ActorChannel>(kChannels, s); }

std::string describe(const Actor& a) {
  const std::string who = a.account.empty() ? std::string("(unnamed)") : a.account;
  if (a.role == Role::department && !a.department.empty())
    return fmt::format("{} (department {}, {})", who, a.department, to_string(a.channel));
  return fmt::format("{} ({}, {})", who, to_string(a.role), to_string(a.channel));
}

}  // namespace yilian
