-- wrk script: POST the bmi example's Compute call
wrk.method = "POST"
wrk.body = '{"weight_kg":70,"height_cm":175}'
wrk.headers["Content-Type"] = "application/json"
