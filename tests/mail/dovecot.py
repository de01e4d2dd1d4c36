"""A private Dovecot IMAP server on loopback for the mail tests (Debian's `dovecot-imapd`, installed here when
missing and we are root, as .ci/run does). Each server has its own config, users, maildirs and pid file under
a temp dir; no system service is touched."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"


def ensure_installed() -> bool:
    """True when the dovecot binary exists (installing `dovecot-imapd` with apt-get first if we can)."""
    if Path(DOVECOT).exists():
        return True
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True, timeout=300)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "dovecot-imapd"], env=env, check=False, capture_output=True, timeout=600
    )
    return Path(DOVECOT).exists()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
info_log_path = {base}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 100
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:{base}/mail/%u
mail_max_userip_connections = 100
# A test server: no fsync (the data is thrown away; it made each MOVE take ~20 ms here)
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={base}/mail/%u
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  inet_listener http {{
    port = 0
  }}
}}
namespace inbox {{
  inbox = yes
  separator = /
}}
"""


class Dovecot:
    """One Dovecot instance: `add_users()`, `start()`, `stop()`; `url(user)` is an IMAP_URL for it."""

    def __init__(self, base: Path) -> None:
        self.base = Path(base)
        self.port = free_port()
        self.users: dict[str, str] = {}

    @property
    def config(self) -> Path:
        return self.base / "dovecot.conf"

    def add_users(self, users: dict[str, str]) -> None:
        """Add users (name → password); best before `start()` (see tests/mail/conftest.py)."""
        self.users.update(users)
        (self.base / "mail").mkdir(parents=True, exist_ok=True)
        (self.base / "users").write_text("".join(f"{u}:{{PLAIN}}{p}::::::\n" for u, p in self.users.items()))
        shutil.chown(self.base / "mail", "dovecot", "dovecot")

    def url(self, user: str, folder: str = "INBOX") -> str:
        return f"imap://{user}:{self.users[user]}@127.0.0.1:{self.port}/{folder}"

    def start(self) -> None:
        for sub in ("run", "state", "mail"):
            (self.base / sub).mkdir(parents=True, exist_ok=True)
        self.base.chmod(0o755)
        for sub in ("state", "mail"):
            shutil.chown(self.base / sub, "dovecot", "dovecot")
        if not (self.base / "users").exists():
            (self.base / "users").write_text("")
        self.config.write_text(CONFIG.format(base=self.base, port=self.port))
        # Dovecot daemonises: its children would keep a captured pipe open, so errors go to a file.
        with open(self.base / "start.err", "wb") as err:
            subprocess.run(
                [DOVECOT, "-c", str(self.config)],
                check=True,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
                timeout=30,
            )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                    if sock.recv(100).startswith(b"* OK"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def log(self) -> str:
        path = self.base / "dovecot.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        pid_file = self.base / "run" / "master.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().strip())
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)


def main() -> None:
    """`python -m tests.mail.dovecot`: a throwaway IMAP server for trying mail conversations (README)."""
    import tempfile

    if not ensure_installed():
        raise SystemExit("dovecot-imapd is not installed (apt-get install dovecot-imapd)")
    server = Dovecot(Path(tempfile.mkdtemp(prefix="tripdesk-dovecot-")))
    server.add_users({"support": "secret"})
    server.start()
    print(f"IMAP_URL={server.url('support')}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # `kill %1` stops Dovecot too
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
