"""Every path the load tests use, built in one place from the project root (package `project`)."""

from project import ROOT

CONFIG_FILE = ROOT / "loadtest" / "config.toml"
LOCUSTFILE = ROOT / "loadtest" / "locustfile.py"
MANIFEST_FILE = ROOT / "models" / "manifest.json"  # names the data, its target and features
REPORTS_DIR = ROOT / "reports" / "loadtest"

# The names of the files in a results directory.
CSV_PREFIX = "locust"  # Locust writes locust_stats.csv, locust_stats_history.csv, ...
STATS_CSV = "locust_stats.csv"
HISTORY_CSV = "locust_stats_history.csv"
FAILURES_CSV = "locust_failures.csv"
STATUS_CSV = "locust_status.csv"  # written by our locustfile: outcomes by kind, per second
LOCUST_HTML = "locust.html"
LOCUST_LOG = "locust.log"
SERVER_LOG = "server.log"
RUN_JSON = "run.json"
LAMBDA_METRICS_JSON = "lambda_metrics.json"  # from CloudWatch, or the local stage gateway
CAPACITY_JSON = "capacity.json"  # what AWS says prod can carry (loadtest.capacity_read)
REPORT_MD = "report.md"
LATENCY_PNG = "latency.png"
GATE_JSON = "gate.json"
