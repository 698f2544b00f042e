-- wrk script of bench_decide.py: every request posts a recorded application under a fresh id and key.
-- args: payload file (one JSON body per line with __ID__ where the id goes), run tag, first body, threads,
-- the secret of a channel API key (sent as Authorization: Bearer).
local bodies = {}
local counter = 0
local next_thread = 0

function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  local f = assert(io.open(args[1], "r"))
  for line in f:lines() do
    local head, tail = line:match("^(.-)__ID__(.*)$")
    bodies[#bodies + 1] = { head, tail }
  end
  f:close()
  tag = args[2]
  authorization = "Bearer " .. assert(args[5], "the fifth argument is the API key's secret")
  -- Threads take turns through the bodies from where the previous run stopped (args: offset, threads).
  step = tonumber(args[4] or "1")
  counter = tonumber(args[3] or "0") + tid - step
end

function request()
  counter = counter + step
  local parts = bodies[(counter % #bodies) + 1]
  local id = tag .. "-" .. tid .. "-" .. counter
  local headers = { ["Content-Type"] = "application/json", ["Idempotency-Key"] = id, ["Authorization"] = authorization }
  return wrk.format("POST", "/v1/applications", headers, parts[1] .. id .. parts[2])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"connect_errors": %d, "read_errors": %d, "write_errors": %d, "status_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
