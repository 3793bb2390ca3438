-- wrk script: PUT the compare kit's workforce row (bench/README of ../shared/bench) with a
-- different caseload each time, so every request is a real change that is journaled and
-- fsynced (a server that skips writes that change nothing would otherwise answer most of
-- an identical-body run from memory). Usage:
--   COUNCIL=E08000028 KEY=bench-key wrk -t1 -c64 -d10s -s bench/store/put_distinct.lua http://127.0.0.1:PORT
local council = os.getenv("COUNCIL") or "E08000028"
local key = os.getenv("KEY") or "bench-key"
local counter = 0
wrk.method = "PUT"
wrk.path = "/v1/councils/" .. council .. "/workforce/2024"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. key

request = function()
  counter = counter + 1
  local body = string.format('{"council":"%s","year":2024,"employed_fte":213.6,"agency_fte":96.0,"agency_rate":31.0,' ..
    '"vacancy_fte":75.0,"vacancy_rate":26.0,"leavers_fte":40.2,"turnover_rate":18.8,"caseload":%.2f,' ..
    '"absence_rate":3.1,"asye_share":null}', council, 10 + (counter % 1000) / 100)
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  io.write(string.format("requests %d, errors %d, req/s %.0f, p50 %.2f ms, p99 %.2f ms\n",
    summary.requests, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
