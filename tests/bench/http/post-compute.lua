-- wrk script: POST the bmi example's Compute call with the key in MV_BENCH_TOKEN
wrk.method = "POST"
wrk.body = '{"weight_kg":70,"height_cm":175}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MV_BENCH_TOKEN")
