-- wrk script: log in (Argon2id verification on every request).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"demo42","password":"demo-password"}'
