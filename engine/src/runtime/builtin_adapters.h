// The adapters the engine ships (deployment.h: manual, command, http).
#pragma once

#include <chrono>
#include <memory>

#include "yilian/adapter.h"
#include "yilian/deployment.h"

namespace boost::asio {
class io_context;
}

namespace yilian::detail {

/// Accepts every task at once: the task waits in the store for people to
/// complete it (yilian task …, or request::Report).
std::shared_ptr<Adapter> make_manual_adapter();

/// Runs config.command per task (no shell): the task JSON on stdin, the
/// outcome JSON on stdout. A program still running after `timeout` is
/// killed (its whole process group) and the delivery fails; so does a
/// non-zero exit status or an answer that is not an outcome.
Result<std::shared_ptr<Adapter>> make_command_adapter(const AdapterConfig& config, std::chrono::milliseconds timeout);

/// POSTs the task JSON to config.url on `io`; a 2xx answer carries the
/// outcome JSON (202 with an empty body: accepted). Anything else fails the
/// delivery: connection errors, timeouts (connect_timeout, io_timeout),
/// other statuses, bodies that are not an outcome.
Result<std::shared_ptr<Adapter>> make_http_adapter(boost::asio::io_context& io, const AdapterConfig& config);

}  // namespace yilian::detail
