"""Writes access.log: a day of web-server traffic in Common Log Format with a
response time (seconds) appended, for the `log_report` example.

Deterministic (fixed seed), so the example's output and tests are stable:

    python3 generate_access_log.py > access.log
"""
import random

rng = random.Random(20261125)
paths = [
    ("/", 30, 0.012), ("/index.html", 10, 0.010), ("/api/items", 25, 0.045),
    ("/api/items/{id}", 20, 0.030), ("/api/search", 8, 0.180), ("/login", 4, 0.090),
    ("/static/app.js", 12, 0.004), ("/static/style.css", 10, 0.003), ("/img/logo.png", 6, 0.005),
    ("/api/orders", 5, 0.120), ("/checkout", 2, 0.250), ("/healthz", 6, 0.001),
]
weights = [w for _, w, _ in paths]
ips = [f"198.51.100.{i}" for i in range(1, 60)] + [f"203.0.113.{i}" for i in range(1, 40)]
agents = ["GET"] * 9 + ["POST"]
lines = []
for i in range(40000):
    second = int(86400 * (i / 40000.0) + rng.random())
    hh, mm, ss = second // 3600, (second // 60) % 60, second % 60
    path, _, base = rng.choices(paths, weights)[0]
    path = path.replace("{id}", str(rng.randint(1, 500)))
    method = "POST" if path in ("/login", "/api/orders", "/checkout") else rng.choice(agents) if path.startswith("/api") else "GET"
    r = rng.random()
    # A bad deploy between 14:00 and 14:40 makes the search and item APIs fail.
    if path.startswith(("/api/search", "/api/items")) and hh == 14 and mm < 40:
        status = 503 if r < 0.35 else 200
    else:
        status = 200 if r < 0.93 else 304 if r < 0.96 else 404 if r < 0.985 else 500
    size = 0 if status == 304 else int(rng.lognormvariate(8, 1))
    latency = max(0.0005, rng.lognormvariate(0, 0.6) * base)
    if status == 503:
        latency = 2.0 + rng.random()
    lines.append(f'{rng.choice(ips)} - - [25/Nov/2026:{hh:02}:{mm:02}:{ss:02} +0000] "{method} {path} HTTP/1.1" {status} {size} {latency:.4f}')
# A few damaged lines, as real logs have: the example must report them, not drop them.
for at, bad in [(1234, "198.51.100.7 - - [25/Nov/2026:00:44:12 +0000] \"GET /"),
                (20001, "garbage"),
                (33333, "203.0.113.9 - - [25/Nov/2026:19:59:59 +0000] \"GET /api/items HTTP/1.1\" abc 12 0.01")]:
    lines.insert(at, bad)
print("\n".join(lines))
