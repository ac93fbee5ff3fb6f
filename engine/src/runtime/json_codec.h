// JSON forms of the engine's values: tasks and outcomes (what command and
// http adapters exchange), requests and receipts (the store's inbox), and
// log entries (case timelines).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "runtime/codec.h"
#include "yilian/adapter.h"
#include "yilian/request.h"

namespace yilian::detail {

[[nodiscard]] nlohmann::json to_json(const Value& v);
/// A scalar JSON value as a form value; objects and arrays are not values.
[[nodiscard]] std::optional<Value> value_from_json(const nlohmann::json& j);
[[nodiscard]] nlohmann::json to_json(const FieldValues& values);
[[nodiscard]] nlohmann::json to_json(const FieldView& values);
/// Reads {key: scalar}; invalid_input naming the first bad entry.
[[nodiscard]] Result<FieldValues> values_from_json(const nlohmann::json& j, std::string_view what);

[[nodiscard]] nlohmann::json to_json(const Outcome& o);
/// Reads an outcome object; an empty optional for {"outcome": "accepted"}.
[[nodiscard]] Result<std::optional<Outcome>> outcome_from_json(const nlohmann::json& j);

[[nodiscard]] nlohmann::json to_json(const Actor& a);
/// {"name", "id_number", "phone"?}: an agent (代办帮办).
[[nodiscard]] nlohmann::json agent_json(const Agent& a);
/// {"account", "role", "department"?, "channel"}; invalid_input naming what is wrong.
[[nodiscard]] Result<Actor> actor_from_json(const nlohmann::json& j);

[[nodiscard]] std::string request_to_json(const Request& r);
[[nodiscard]] Result<Request> request_from_json(std::string_view text);
[[nodiscard]] std::string receipt_to_json(const Result<Receipt>& r);
[[nodiscard]] Result<Receipt> receipt_from_json(std::string_view text);

// Log entries (entry_json.cpp).
/// A log entry's body as JSON, matter indices named by `chain` when given.
[[nodiscard]] nlohmann::json entry_to_json(const EntryBody& body, const FlowChain* chain);
/// One line for people, e.g. "school-permit approved (attempt 1)".
[[nodiscard]] std::string entry_summary(const EntryBody& body, const FlowChain* chain);

}  // namespace yilian::detail
