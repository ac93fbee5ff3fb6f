// Who did it: the actor of a request (全过程留痕). Every request carries one;
// the engine writes it into the log entry the request causes, inside the
// hash chain, and every timeline shows it. Entries the engine writes by
// itself (a timer fired, a delivery failed) carry none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace yilian {

/// What an account may do (DESIGN.md "Accounts and roles"; identity.h
/// holds the rules).
enum class Role : std::uint8_t {
  admin,       ///< everything; accounts; chains
  window,      ///< 综合窗口: submits, supplements, withdraws, delivers
  department,  ///< one department's tasks, through its view of the data
  supervisor,  ///< 效能监察: reads everything, urges; changes nothing else
  portal,      ///< the online platform or the hotline: its own cases only
  system,      ///< the engine itself or a department adapter
};

/// Where the request came from.
enum class ActorChannel : std::uint8_t { window, online, hotline, department, system, cli };

struct Actor {
  std::string account;     ///< the account or officer name ("" only in actor-less entries)
  Role role = Role::system;
  std::string department;  ///< a department account's department ("" otherwise)
  ActorChannel channel = ActorChannel::system;
  friend bool operator==(const Actor&, const Actor&) = default;
};

[[nodiscard]] std::string_view to_string(Role r);
[[nodiscard]] std::string_view to_string(ActorChannel c);
[[nodiscard]] std::optional<Role> parse_role(std::string_view s);
[[nodiscard]] std::optional<ActorChannel> parse_actor_channel(std::string_view s);

/// "王芳 (window, cli)", "edu-system (department education, department)".
[[nodiscard]] std::string describe(const Actor& a);

}  // namespace yilian
