-- wrk script for the append scenarios. Each request POSTs one 100-byte message with a unique id,
-- and each acknowledged (2xx) id is written to a file. The benchmark then reads the stream back
-- and checks that every acknowledged append is stored exactly once.
--
-- Run wrk with as many threads as connections (-tN -cN): a thread with one connection gets each
-- response right after its own request, which is what ties an acknowledgement to its id.
--
-- Environment:
--   BENCH_PATH     stream path, e.g. /v1/stream/bench/x; with BENCH_STREAMS=per-connection,
--                  thread k appends to BENCH_PATH/s<k> instead
--   BENCH_STREAMS  "one" (default) or "per-connection"
--   BENCH_KIND     "text" (text/plain) or "json" (application/json object)
--   BENCH_ACK_DIR  directory for ack-<k>.txt, one acknowledged id a line; unset writes none

local MESSAGE_BYTES = 100

local next_thread = 1

function setup(thread)
  thread:set("thread_index", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  local base = os.getenv("BENCH_PATH") or "/v1/stream/bench"
  if os.getenv("BENCH_STREAMS") == "per-connection" then
    path = base .. "/s" .. thread_index
  else
    path = base
  end
  kind = os.getenv("BENCH_KIND") or "text"
  if kind == "json" then
    headers = { ["Content-Type"] = "application/json" }
  else
    headers = { ["Content-Type"] = "text/plain" }
  end
  local ack_dir = os.getenv("BENCH_ACK_DIR")
  if ack_dir and ack_dir ~= "" then
    ack_file = assert(io.open(ack_dir .. "/ack-" .. thread_index .. ".txt", "w"))
  end
  seq = 0
  current_id = nil
end

-- Builds a body of exactly MESSAGE_BYTES bytes around the id.
local function message(id)
  if kind == "json" then
    -- {"id":"w001-00000001","pad":"...."} padded inside the string.
    local prefix = '{"id":"' .. id .. '","pad":"'
    local suffix = '"}'
    return prefix .. string.rep("x", MESSAGE_BYTES - #prefix - #suffix) .. suffix
  end
  -- w001-00000001; followed by dots and a newline.
  local prefix = id .. ";"
  return prefix .. string.rep(".", MESSAGE_BYTES - #prefix - 1) .. "\n"
end

function request()
  seq = seq + 1
  current_id = string.format("w%03d-%08d", thread_index, seq)
  return wrk.format("POST", path, headers, message(current_id))
end

function response(status, headers, body)
  if ack_file and status >= 200 and status < 300 then
    ack_file:write(current_id, "\n")
    if seq % 1000 == 0 then
      ack_file:flush()
    end
  end
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,'
      .. '"write_errors":%d,"status_errors":%d,"timeouts":%d,'
      .. '"p50_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max))
end
