// The routes of a case's material files (DESIGN.md "Materials as files"):
// upload the raw bytes of a scan or document, list the files the caller may
// read, download one. The engine decides what a case takes (request::Attach
// through the flow); who may read which material is yilian/identity.h's
// may_read_material; the documents are the CLI's file_json/files_json.
#include "serve/server.h"
#include "yilian/material_file.h"
#include "yilian/text.h"

namespace yilian::cli::serve {
namespace {

using http::Response;

/// The media types an upload may be declared as; the engine recognises the
/// file by its content whatever the declaration says.
constexpr std::array<std::string_view, 4> kUploadTypes{"application/pdf", "image/jpeg", "image/png",
                                                       "application/octet-stream"};

/// "Application/PDF; x=y" → "application/pdf".
std::string media_type(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  std::string out(t);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// The display name of `?name=` (already percent-decoded), or the problem
/// that refuses it: UTF-8, at most 255 bytes, no control character.
std::variant<std::string, Response> display_name(const http::Request& q) {
  std::string name = q.query_value("name").value_or("");
  auto refuse = [](std::string why) {
    return Response::problem(400, "Bad Request", fmt::format("name: {}", why),
                             json::array({{{"message", why}, {"path", "name"}}}));
  };
  if (name.size() > 255) return refuse("a file name has at most 255 bytes");
  if (valid_utf8(name) != name) return refuse("the file name is not UTF-8 (percent-encode its UTF-8 bytes)");
  if (std::any_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
    return refuse("the file name has a control character");
  return name;
}

/// RFC 6266 / RFC 8187: `attachment; filename="ascii"; filename*=UTF-8''…`,
/// the name given with an extension of its type when it has none.
std::string content_disposition(const MaterialFile& f) {
  std::string name = f.name.empty() ? f.material : f.name;
  if (name.find('.') == std::string::npos)
    name += f.media_type == "application/pdf" ? ".pdf" : f.media_type == "image/png" ? ".png" : ".jpg";
  std::string ascii, encoded;
  for (const char c : name) {
    const auto b = static_cast<unsigned char>(c);
    const bool attr_char = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') ||
                           std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
    encoded += attr_char ? std::string(1, c) : fmt::format("%{:02X}", b);
    if ((b & 0xC0) == 0x80) continue;  // the rest of a character already shown as one '_'
    ascii += b >= 0x20 && b < 0x7f && c != '"' && c != '\\' && c != '%' ? c : '_';
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

/// The case `id_text` when `who` may see it (404 otherwise, as for a case
/// that does not exist), with the chain version it runs on.
std::variant<std::pair<CaseId, std::shared_ptr<const Chain>>, Response> readable_case(Api& api, const Actor& who,
                                                                                       const std::string& id_text) {
  const auto id = case_id_of(id_text);
  const auto scope = id ? api.cache.scope(api.records, *id) : std::nullopt;
  if (!scope || !may_see_case(who, *scope)) return not_found(fmt::format("no case {}", id_text));
  auto chain = api.records.case_chain(*id);
  if (!chain) return problem(chain.status());
  return std::pair{*id, std::move(*chain)};
}

void upload(Api& api, Actor who, http::Request q, const http::Responder& r) {
  auto found = case_in_scope(api, who, q.param("id"));
  if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
  const CaseId id = std::get<CaseView>(found).id;
  const std::string type = media_type(q.header("Content-Type").value_or(""));
  if (std::find(kUploadTypes.begin(), kUploadTypes.end(), type) == kUploadTypes.end())
    return (void)r.send(Response::problem(
        415, "Unsupported Media Type",
        fmt::format("send the file's bytes as the body, as application/pdf, image/jpeg, image/png or "
                    "application/octet-stream, not `{}` (the type is recognised by the content)",
                    type.empty() ? "(none)" : type)));
  auto name = display_name(q);
  if (auto* refused = std::get_if<Response>(&name)) return (void)r.send(std::move(*refused));
  const std::string material = q.param("material");
  request::Attach attach{id, material, std::get<std::string>(std::move(name)), std::move(q.body), std::move(who)};
  api.backend.apply_async(std::move(attach), [&api, r, id, material](Result<Receipt> done) {
    if (!done) return (void)r.send(problem(done.status()));
    json doc = receipt_json(*done);
    auto files = api.records.files(id);
    if (!files) return (void)r.send(problem(files.status()));
    const auto f = std::find_if(files->begin(), files->end(), [&](const MaterialFile& x) { return x.seq == done->seq; });
    if (f == files->end())
      return (void)r.send(Response::problem(500, "Internal Server Error",
                                            fmt::format("case {} recorded the file as entry {}, but the store does not "
                                                        "hold it",
                                                        id, done->seq)));
    doc["file"] = file_json(*f);
    Response res = Response::json(done->result == StepResult::applied ? 201 : 200, doc);
    res.headers.set("Location", fmt::format("/api/v1/cases/{}/materials/{}?entry={}", id, material, done->seq));
    r.send(std::move(res));
  });
}

void list(Api& api, const Actor& who, const http::Request& q, const http::Responder& r) {
  auto found = readable_case(api, who, q.param("id"));
  if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
  const auto& [id, chain] = std::get<0>(found);
  auto files = api.records.files(id);
  if (!files) return (void)r.send(problem(files.status()));
  std::erase_if(*files, [&](const MaterialFile& f) { return !may_read_material(who, *chain, f.material); });
  r.send(Response::json(200, files_json(*files)));
}

void download(Api& api, const Actor& who, const http::Request& q, const http::Responder& r) {
  auto found = readable_case(api, who, q.param("id"));
  if (auto* refused = std::get_if<Response>(&found)) return (void)r.send(std::move(*refused));
  const auto& [id, chain] = std::get<0>(found);
  const std::string material = q.param("material");
  std::uint64_t entry = 0;
  if (auto e = q.query_value("entry")) {
    const auto n = case_id_of(*e);
    if (!n || *n == 0) return (void)r.send(Response::problem(400, "Bad Request", "entry is a log entry's number (1, 2, …)"));
    entry = *n;
  }
  // A material the caller may not read looks exactly like one without a file.
  const std::string none = entry ? fmt::format("case {} has no file of `{}` at entry {}", id, material, entry)
                                 : fmt::format("case {} has no file of `{}`", id, material);
  if (!may_read_material(who, *chain, material)) return (void)r.send(not_found(none));
  auto files = api.records.files(id);
  if (!files) return (void)r.send(problem(files.status()));
  const MaterialFile* pick = nullptr;  // the latest of the material, or the one at `entry`
  for (const MaterialFile& f : *files)
    if (f.material == material && (!entry || f.seq == entry)) pick = &f;
  if (!pick) return (void)r.send(not_found(none));
  auto content = api.records.file_content(id, pick->seq);
  if (!content) return (void)r.send(problem(content.status()));
  const std::string etag = fmt::format("\"{}\"", pick->sha256);
  Response res;
  if (q.header("If-None-Match").value_or("") == etag) {
    res.status = 304;
  } else {
    res = Response::text(200, std::move(*content), pick->media_type);
    res.headers.set("Content-Disposition", content_disposition(*pick));
  }
  res.headers.set("ETag", etag);
  res.headers.set("X-Content-Type-Options", "nosniff");
  res.headers.set("Cache-Control", "private, no-cache");
  r.send(std::move(res));
}

}  // namespace

void add_file_routes(Api& api, http::Router& router) {
  // A file's size only for a caller who may upload: anyone else is held to
  // the server's JSON limit before a byte of the body is read.
  http::RouteOptions upload_limit;
  upload_limit.max_body_bytes = static_cast<std::size_t>(api.max_file_bytes);
  upload_limit.admit = [&api](const http::Headers& headers) {
    const auto who = identify(api, headers, true);
    return std::holds_alternative<Actor>(who) && may_attach(std::get<Actor>(who));
  };
  router.post("/api/v1/cases/{id}/materials/{material}",
              guarded(api, may_attach, [&api](Actor who, http::Request q, http::Responder r) {
                upload(api, std::move(who), std::move(q), r);
              }),
              upload_limit);
  router.get("/api/v1/cases/{id}/materials", guarded(api, Permission::read_cases, [&api](Actor who, http::Request q, http::Responder r) {
    list(api, who, q, r);
  }));
  router.get("/api/v1/cases/{id}/materials/{material}",
             guarded(api, Permission::read_cases, [&api](Actor who, http::Request q, http::Responder r) {
               download(api, who, q, r);
             }));
}

}  // namespace yilian::cli::serve
