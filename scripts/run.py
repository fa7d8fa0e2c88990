"""`make run`: migrate, load the demo tenant once, start the web server and a Celery worker.

Without DATABASE_URL the settings start an embedded PostgreSQL under .data/;
without REDIS_URL the worker uses kombu's filesystem transport. Ctrl-C stops
the web server and the worker (the embedded database keeps running; `make
stop-db` stops it).

The web server is gunicorn with DEBUG off (static files by WhiteNoise), bound
to HOST:PORT (default 127.0.0.1:8000): fit for a county's intranet. `make dev`
(RUN_MODE=dev) runs Django's development server with DEBUG on instead.
DJANGO_ALLOWED_HOSTS defaults to localhost plus HOST; a server bound to every
interface (HOST=0.0.0.0) must be given the address people type.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CELERY = str(Path(PYTHON).with_name("celery"))


def manage(*args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, check=True)


def wait_for(url: str, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own localhost URL
                return True
        except OSError:
            time.sleep(0.3)
    return False


def allowed_hosts(host: str) -> str:
    """DJANGO_ALLOWED_HOSTS for a server bound to ``host``: localhost, and ``host`` itself
    unless it is every interface (then the operator lists the LAN address)."""
    hosts = ["localhost", "127.0.0.1", "[::1]"]
    if host not in ("0.0.0.0", "::", "", *hosts):  # noqa: S104 - a name, not a bind
        hosts.append(f"[{host}]" if ":" in host else host)
    return ",".join(hosts)


def web_command(host: str, port: str, *, dev: bool) -> list[str]:
    """The web server: gunicorn (DEBUG off) or, for development, runserver (DEBUG on)."""
    if dev:
        return [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"]
    return [
        str(Path(PYTHON).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "--workers",
        os.environ.get("WEB_CONCURRENCY", "2"),
        "--timeout",
        "120",
        "--graceful-timeout",
        "30",
        "--access-logfile",
        "-",
    ]


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    port = os.environ.get("PORT", "8000")
    host = os.environ.get("HOST", "127.0.0.1")
    dev = os.environ.get("RUN_MODE") == "dev"
    os.environ["DJANGO_DEBUG"] = "1" if dev else os.environ.get("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", allowed_hosts(host))
    if not os.environ.get("DATABASE_URL"):
        print("DATABASE_URL 未设置：使用内置 PostgreSQL（数据在 .data/postgres）")
        # Start it once here so that the child processes below only attach to it.
        sys.path.insert(0, str(ROOT))
        from config import embedded_db

        os.environ["DATABASE_URL"] = embedded_db.database_url()
    if not os.environ.get("REDIS_URL"):
        print("REDIS_URL 未设置：Celery 使用文件系统队列（.data/celery-queue）")
    manage("migrate", "--noinput")
    manage("seed_demo")
    if not dev:
        manage("collectstatic", "--noinput", "--verbosity", "0")

    children = [
        subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "-B",  # beat inside this worker: one process fewer on a developer's machine
                "--schedule",
                str(ROOT / ".data" / "celerybeat-schedule"),
                "-Q",
                "default,reports",
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
        ),
        subprocess.Popen(web_command(host, port, dev=dev), cwd=ROOT),
    ]
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    url = f"http://{f'[{local}]' if ':' in local else local}:{port}/"
    if wait_for(url + "healthz/", seconds=60):
        password = os.environ.get("DEMO_PASSWORD", "shegong-demo-2026")
        mode = "开发服务器，DEBUG 开启" if dev else "gunicorn，DEBUG 关闭"
        print(f"\n平台已启动：{url}（{mode}）")
        if host in ("0.0.0.0", "::"):  # noqa: S104
            print(
                "  已监听所有网卡：请用 DJANGO_ALLOWED_HOSTS 写明局域网地址，"
                f"现为 {os.environ['DJANGO_ALLOWED_HOSTS']}"
            )
        print(f"  健康检查 {url}healthz/  ·  API 文档 {url}api/docs/")
        print(f"演示账号（密码：{password}）：")
        print(
            "  demo_city · demo_viewer · demo_county · demo_county2 · demo_contractor · demo_evaluator"
            " · demo_evaluator2"
        )
        print("按 Ctrl-C 停止。\n", flush=True)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
