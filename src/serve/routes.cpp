// routes.cpp — the HTTP endpoints (routes.h). Handlers never throw: every failure becomes a JSON error
// with a 4xx status for the client's mistakes and 5xx for the server's.
#include "serve/routes.h"

#include <fmt/format.h>

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "nabla/autograd/grad_mode.h"
#include "nabla/ops/ops.h"

namespace nabla::serve::detail {

namespace {
using httplib::ContentReader;
using httplib::Request;
using httplib::Response;
using json = nlohmann::json;

// What the client sent, image by image (multipart) or as one body.
struct Body {
  std::string name, bytes;
};

// Messages may quote the client's bytes (a JSON parse error shows the bad token): invalid UTF-8 is
// replaced, or dump() would throw.
void send_json(Response& res, int status, const json& j) {
  res.status = status;
  res.set_content(j.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void send_error(Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}, {"status", status}});
}

// Tells the client the connection closes after this response (httplib says so itself when the request
// asked for it).
void say_close(const Request& req, Response& res) {
  if (req.get_header_value("Connection") != "close") res.set_header("Connection", "close");
}

InputSpec input_spec(const Routes& r) {
  return {&r.config, r.options.max_image_pixels, r.options.max_batch * 8};
}

int64_t topk_of(const Request& req, const Routes& r) {
  if (!req.has_param("topk")) return r.options.topk;
  const std::string v = req.get_param_value("topk");
  int64_t k = 0;
  auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), k);
  if (ec != std::errc() || end != v.data() + v.size() || k < 1 || k > (int64_t{1} << 20))
    throw RequestError(400, fmt::format("topk must be a whole number from 1, got '{}'", v.substr(0, 40)));
  return k;
}

// Why a body could not be read: too large (413), too slow (408), or cut short / malformed (400).
[[noreturn]] void body_failed(bool too_big, const Response& res, const Routes& r, const char* what) {
  HttpServer::close_after_response();  // the rest of the body is still on the connection
  if (too_big || res.status == 413)
    throw RequestError(
        413, fmt::format("the {} is larger than this server takes ({} bytes, --max_body_bytes)", what,
                         r.options.max_body_bytes));
  if (HttpServer::request_timed_out())
    throw RequestError(408, fmt::format("the {} did not arrive within the server's timeouts", what));
  throw RequestError(400, fmt::format("the {} is malformed or was cut short", what));
}

std::vector<Body> read_multipart(const ContentReader& reader, const Response& res, const Routes& r) {
  std::vector<Body> parts;
  size_t total = 0;
  const auto max = static_cast<size_t>(r.options.max_body_bytes);
  bool too_big = false, too_many = false;
  const bool ok = reader(
      [&](const httplib::MultipartFormData& f) {
        if (static_cast<int64_t>(parts.size()) >= r.options.max_batch * 8) return !(too_many = true);
        parts.push_back({f.filename.empty() ? f.name : f.filename, {}});
        return true;
      },
      [&](const char* data, size_t n) {
        if ((total += n) > max) return !(too_big = true);
        parts.back().bytes.append(data, n);
        return true;
      });
  if (too_many) {
    HttpServer::close_after_response();
    throw RequestError(413, fmt::format("more than {} files in one upload", r.options.max_batch * 8));
  }
  if (!ok) body_failed(too_big, res, r, "multipart upload");
  if (parts.empty()) throw RequestError(400, "the multipart upload holds no file (curl -F file=@image.png)");
  return parts;
}

std::string read_body(const ContentReader& reader, const Response& res, const Routes& r) {
  std::string body;
  const auto max = static_cast<size_t>(r.options.max_body_bytes);
  bool too_big = false;
  const bool ok = reader([&](const char* data, size_t n) {
    if (body.size() + n > max) return !(too_big = true);
    body.append(data, n);
    return true;
  });
  if (!ok) body_failed(too_big, res, r, "body");
  return body;
}

bool is_image_type(const std::string& t) {
  return t == "image/png" || t == "image/jpeg" || t == "image/jpg" || t == "image/bmp" ||
         t == "application/octet-stream";
}

// The request's inputs as model inputs [C, H, W], with a name per input ("" when it has none).
std::vector<std::pair<std::string, Tensor>> read_inputs(const Request& req, const Response& res,
                                                        const ContentReader& reader, const Routes& r) {
  const std::string type = media_type(req.get_header_value("Content-Type"));
  const bool chunked = req.get_header_value("Transfer-Encoding") == "chunked";
  if (!req.has_header("Content-Length") && !chunked) {
    HttpServer::close_after_response();
    throw RequestError(411, "a Content-Length header (or chunked transfer) is required");
  }
  if (req.has_header("Content-Length")) {
    const std::string v = req.get_header_value("Content-Length");
    uint64_t length = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), length);
    if (ec == std::errc::result_out_of_range ||
        (ec == std::errc() && length > static_cast<uint64_t>(r.options.max_body_bytes)))
      body_failed(true, res, r, "body");
    if (ec != std::errc() || end != v.data() + v.size()) {
      HttpServer::close_after_response();
      throw RequestError(400, fmt::format("Content-Length '{}' is not a number", v.substr(0, 40)));
    }
  }
  const InputSpec spec = input_spec(r);
  std::vector<std::pair<std::string, Tensor>> inputs;
  if (type == "multipart/form-data") {
    for (const Body& part : read_multipart(reader, res, r))
      inputs.emplace_back(part.name, image_input(reinterpret_cast<const uint8_t*>(part.bytes.data()),
                                                 part.bytes.size(), part.name, spec));
  } else if (is_image_type(type)) {
    const std::string body = read_body(reader, res, r);
    inputs.emplace_back(
        "", image_input(reinterpret_cast<const uint8_t*>(body.data()), body.size(), "body", spec));
  } else if (type == "application/json") {
    for (Tensor& t : json_inputs(read_body(reader, res, r), spec)) inputs.emplace_back("", std::move(t));
  } else {
    HttpServer::close_after_response();
    throw RequestError(415,
                       fmt::format("Content-Type '{}' is not accepted: send image/png or image/jpeg bytes, a "
                                   "multipart/form-data upload, or application/json {{\"inputs\": [...]}}",
                                   req.get_header_value("Content-Type").substr(0, 80)));
  }
  return inputs;
}

void predict(const Request& req, Response& res, const ContentReader& reader, const Routes& r) {
  try {
    InferenceMode inference;
    const int64_t k = topk_of(req, r);
    auto inputs = read_inputs(req, res, reader, r);
    std::vector<std::future<std::vector<float>>> pending;
    for (auto& [name, input] : inputs) pending.push_back(r.batcher.submit(input));
    json predictions = json::array();
    for (size_t i = 0; i < pending.size(); ++i) {
      std::vector<float> row = pending[i].get();
      const Tensor probs = from_buffer(row.data(), {static_cast<int64_t>(row.size())}, kFloat32);
      json top = json::array();
      for (const auto& c : training::top_classes(probs, k, r.config))
        top.push_back({{"class", c.name}, {"index", c.index}, {"probability", c.probability}});
      json p = {{"top", top}};
      if (!inputs[i].first.empty()) p["input"] = inputs[i].first;
      predictions.push_back(std::move(p));
    }
    send_json(res, 200, {{"model", r.config.model.name}, {"predictions", predictions}});
  } catch (const RequestError& e) {
    send_error(res, e.status, e.what());
    if (e.status == 408 || e.status == 411 || e.status == 413 || e.status == 415) say_close(req, res);
  } catch (const QueueFull& e) {
    res.set_header("Retry-After", "1");
    send_error(res, 503, e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nabla serve: /predict failed: %s\n", e.what());
    send_error(res, 500, fmt::format("the model failed on this input: {}", e.what()));
  }
}

json metadata(const Routes& r) {
  const training::ModelConfig& m = r.config.model;
  const ServerOptions& o = r.options;
  return {{"model", json::parse(m.to_json())},
          {"data", r.config.data},
          {"classes", r.config.classes},
          {"input_shape", {m.in_channels, m.height, m.width}},
          {"mean", r.config.mean},
          {"std", r.config.std},
          {"accepts", {"image/png", "image/jpeg", "multipart/form-data", "application/json"}},
          {"topk", o.topk},
          {"max_batch", o.max_batch},
          {"max_wait_ms", o.max_wait_ms},
          {"max_body_bytes", o.max_body_bytes},
          {"max_image_pixels", o.max_image_pixels}};
}

std::string status_text(int status) {
  switch (status) {
    case 400:
      return "bad request: malformed request line or headers";
    case 408:
      return "request timeout";
    case 413:
      return "request too large";
    case 414:
      return "request line too long";
    case 415:
      return "unsupported media type";
    case 416:
      return "range not satisfiable";
    default:
      return fmt::format("HTTP status {}", status);
  }
}

void not_allowed(httplib::Server& http, const char* path, const char* allowed) {
  auto handler = [allowed](const Request& req, Response& res) {
    res.set_header("Allow", allowed);
    send_error(res, 405, fmt::format("{} {} is not supported; use {}", req.method, req.path, allowed));
  };
  if (std::string(allowed) == "POST")
    http.Get(path, handler);
  else
    http.Post(path, [handler](const Request& req, Response& res, const ContentReader&) {
      HttpServer::close_after_response();  // the body is not read
      handler(req, res);
    });
}
}  // namespace

void add_routes(HttpServer& http, const Routes& r) {
  http.Post("/predict", [&r](const Request& req, Response& res, const ContentReader& reader) {
    predict(req, res, reader, r);
  });
  http.Get("/health", [](const Request&, Response& res) { send_json(res, 200, {{"status", "ok"}}); });
  const std::string meta = metadata(r).dump();
  http.Get("/metadata", [meta](const Request&, Response& res) { res.set_content(meta, "application/json"); });
  http.Get("/metrics", [&r](const Request&, Response& res) {
    res.set_content(r.metrics.prometheus(), "text/plain; version=0.0.4; charset=utf-8");
  });
  not_allowed(http, "/predict", "POST");
  for (const char* path : {"/health", "/metadata", "/metrics"}) not_allowed(http, path, "GET");
  // httplib's own refusals (404, 400 for a malformed request line, ...) come with an empty body.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const Request& req, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (res.status !=
        404) {  // a request httplib could not parse: what follows on the connection is no request
      HttpServer::close_after_response();
      say_close(req, res);
    }
    const std::string message =
        res.status == 404
            ? fmt::format("no route {} {} (try POST /predict, GET /health, /metadata, /metrics)",
                          req.method.substr(0, 16), req.path.substr(0, 80))
            : status_text(res.status);
    send_error(res, res.status, message);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler(
      [](const Request&, Response& res, std::exception_ptr) { send_error(res, 500, "internal error"); });
  // Counted when the response is ready, before it is written: a client that reads /metrics right after
  // its answer finds that answer counted (httplib's logger runs after the write).
  http.set_post_routing_handler([&r](const Request& req, Response& res) {
    r.metrics.request(req.path, res.status, HttpServer::request_seconds());
  });
}

}  // namespace nabla::serve::detail
