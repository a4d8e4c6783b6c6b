#!/usr/bin/env python3
"""xenboot's system-test lab: QEMU (TCG, AArch64) runs Debian's Xen, a Debian dom0 from an
initramfs, and DomU guests that dom0 starts one after the other from a plan.

    with Lab(workdir, [GuestSpec("fw", kernel="build/xenboot.bin", memory_mib=64,
                                 disks=["disk.img"])]) as lab:
        lab.console.expect("=> ", timeout=30)
        lab.console.sendline("version")
        lab.console.expect(re.compile(r"xenboot \\S+"))
        lab.console.sendline("poweroff")
        assert lab.wait_guest_end(timeout=30) == "poweroff"

Channels between the host and the emulated machine:
  serial   QEMU's PL011: Xen's console, and dom0's hvc0 with the "LAB: ..." event lines
  console  a virtio-serial port; dom0 wires the current guest's PV console to it (xenconsole)
  share    a 9p directory (<workdir>/share): the plan and guest files in, dom0's logs out
Both sockets are unix sockets that this module listens on and QEMU connects to.
QEMU has no NIC (-nic none): the only network is inside the machine, dom0's bridge xenbr0
(10.9.0.1/24) with DHCP, TFTP and HTTP servers, started for guests with vifs
(GuestSpec.vifs, NetServices, Lab(srv_dir=)).

Stdlib only. Run tests/system/lab/setup.sh (or ensure_setup()) before using Lab.
CLI: lab.py setup | lab.py interactive --kernel PATH [--memory MiB] [--disk IMG ...]
     [--vif MAC [--srv DIR] [--boot-file F] [--pxe-config F]]
"""

import argparse
import bisect
import codecs
import ctypes
import dataclasses
import fcntl
import math
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))

# Load addresses of dom0's kernel and initramfs. Not 0x48000000: QEMU puts its DTB at
# RAM + 128 MiB and would overwrite whatever guest-loader placed there.
DOM0_KERNEL_ADDR = 0x42000000
DOM0_INITRD_ADDR = 0x49000000

# xl.cfg keys the lab writes itself; GuestSpec.extra_cfg may not set them.
LAB_KEYS = {"name", "kernel", "ramdisk", "cmdline", "extra", "root", "memory", "disk", "vif",
            "on_poweroff", "on_reboot", "on_crash", "on_watchdog", "on_soft_reset"}

# The lab's network, inside the emulated machine only (QEMU has no NIC: -nic none): dom0's
# bridge xenbr0 with NET_DOM0_IP, which every vif joins; the DHCP server leases from
# NET_LEASES; httpd (port 80) and atftpd (port 69) serve /run/srv in dom0.
NET_BRIDGE = "xenbr0"
NET_DOM0_IP = "10.9.0.1"
NET_MASK = "255.255.255.0"
NET_LEASES = ("10.9.0.100", "10.9.0.199")
DEFAULT_MAC = "00:16:3e:12:34:56"      # Xen's OUI 00:16:3e
_MAC = re.compile(r"[0-9a-f]{2}(:[0-9a-f]{2}){5}")
_DHCP_VALUE = re.compile(r"[A-Za-z0-9_./:+-]{1,127}")

# In-band frame dom0 writes on the console port after a guest's last output byte.
_END_FRAME = re.compile(rb"\x1b_LAB:end:([^\x1b]*)\x1b\\")
_END_PREFIX = b"\x1b_LAB:"

_EVENTS = [  # lines dom0 prints on hvc0 (see dom0-init.sh)
    ("ready", re.compile(r"LAB: dom0 ready")),
    ("unpausing", re.compile(r"LAB: guest (\S+) unpausing domid (\d+)")),
    ("started", re.compile(r"LAB: guest (\S+) started domid (\d+)")),
    ("ended", re.compile(r"LAB: guest (\S+) ended: (.*?)\s*$")),
    ("done", re.compile(r"LAB: all guests done")),
    ("error", re.compile(r"LAB: error: (.*?)\s*$")),
    ("cmd", re.compile(r"LAB: cmd (\S+) done rc (\d+)")),
]


class LabError(Exception):
    """The lab failed: QEMU, Xen, dom0 or a guest did not do what was expected."""


class LabTimeout(LabError):
    """A wait ran out of time."""


def lab_dir():
    """Where setup.sh leaves the boot files: $XENBOOT_LAB_DIR or <repo>/build/lab."""
    return os.environ.get("XENBOOT_LAB_DIR") or os.path.join(REPO, "build", "lab")


def ensure_setup():
    """Runs setup.sh (downloads and builds what is missing; ~0.01 s when up to date)."""
    subprocess.run([os.path.join(HERE, "setup.sh")], check=True)


def _tail(text, n=3000):
    return text if len(text) <= n else "..." + text[-n:]


@dataclasses.dataclass
class NetServices:
    """What dom0 serves to one guest with a vif (GuestSpec.net). The file servers (httpd,
    atftpd) serve dom0's /run/srv: Lab(srv_dir=) fills it once for all guests, `files`
    adds to it (served path -> host path) just before this guest is created.
    dhcp=False: no DHCP server runs for this guest (its requests go unanswered).
    DHCP reply: siaddr (next-server) = next_server, BOOTP file = boot_file, option 66 =
    tftp_server, 67 = boot_file, 209 (PXELINUX config file) = pxe_config, 210 (path prefix)
    = path_prefix, plus subnet mask and router; None leaves a field out. dhcp_lines: further
    busybox udhcpd.conf lines (e.g. "opt dns 10.9.0.1")."""
    dhcp: bool = True
    boot_file: str = "pxelinux.0"
    next_server: str = NET_DOM0_IP
    tftp_server: str = NET_DOM0_IP
    pxe_config: str = None
    path_prefix: str = None
    dhcp_lines: list = dataclasses.field(default_factory=list)
    files: dict = dataclasses.field(default_factory=dict)

    def check(self, guest):
        for key in ("boot_file", "next_server", "tftp_server", "pxe_config", "path_prefix"):
            v = getattr(self, key)
            if v is not None and not _DHCP_VALUE.fullmatch(v):
                raise LabError(f"guest {guest}: net.{key} {v!r}: use [A-Za-z0-9_./:+-], 1-127 chars")
        for line in self.dhcp_lines:
            if "\n" in line:
                raise LabError(f"guest {guest}: net.dhcp_lines entry {line!r} has a newline")
        for rel, src in self.files.items():
            parts = rel.split("/")
            if rel.startswith("/") or any(p in ("", ".", "..") for p in parts):
                raise LabError(f"guest {guest}: net.files path {rel!r}: relative, no . or ..")
            if not os.path.isfile(src):
                raise LabError(f"guest {guest}: no such file {src}")

    def udhcpd_conf(self):
        """busybox udhcpd.conf for dom0 (None when dhcp is False)."""
        if not self.dhcp:
            return None
        lines = [f"start {NET_LEASES[0]}", f"end {NET_LEASES[1]}", f"interface {NET_BRIDGE}",
                 "lease_file /run/net/udhcpd.leases", "max_leases 100", "auto_time 0",
                 f"opt subnet {NET_MASK}", f"opt router {NET_DOM0_IP}", "opt lease 86400"]
        if self.next_server:
            lines.append(f"siaddr {self.next_server}")
        if self.boot_file:
            lines += [f"boot_file {self.boot_file}", f"opt bootfile {self.boot_file}"]
        if self.tftp_server:
            lines.append(f"opt tftp {self.tftp_server}")
        if self.pxe_config:
            lines.append(f"opt pxeconffile {self.pxe_config}")
        if self.path_prefix:
            lines.append(f"opt pxepathprefix {self.path_prefix}")
        return "\n".join(lines + list(self.dhcp_lines)) + "\n"


@dataclasses.dataclass
class GuestSpec:
    """One DomU. kernel, ramdisk and disks are host paths. Disks are raw images that dom0
    copies into its RAM and attaches as xvda, xvdb, ... (writes are not copied back).
    extra_cfg: further xl.cfg lines ("key = value"), e.g. 'vcpus = 2', 'vuart = "sbsa_uart"';
    keys in LAB_KEYS are refused. cmdline becomes xl's cmdline (the DT /chosen/bootargs).
    vifs: network interfaces on dom0's bridge, each a MAC ("00:16:3e:12:34:56" becomes
    'mac=00:16:3e:12:34:56,bridge=xenbr0') or a whole xl vif spec (anything with "=");
    a guest with vifs gets dom0's network services (net, default NetServices()).
    No disks and no ramdisk: a diskless guest."""
    name: str
    kernel: str
    memory_mib: int = 64
    extra_cfg: list = dataclasses.field(default_factory=list)
    disks: list = dataclasses.field(default_factory=list)
    ramdisk: str = None
    cmdline: str = None
    vifs: list = dataclasses.field(default_factory=list)
    net: NetServices = None

    def vif_specs(self):
        return [v if "=" in v else f"mac={v},bridge={NET_BRIDGE}" for v in self.vifs]

    def services(self):
        """The network services for this guest: None without vifs."""
        return (self.net or NetServices()) if self.vifs else None

    def check(self):
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,40}", self.name):
            raise LabError(f"guest name {self.name!r}: use [A-Za-z0-9_.-], at most 41 chars")
        for path in [self.kernel, self.ramdisk, *self.disks]:
            if path is not None and not os.path.isfile(path):
                raise LabError(f"guest {self.name}: no such file {path}")
        if len(self.disks) > 26:
            raise LabError(f"guest {self.name}: at most 26 disks")
        if self.cmdline is not None and re.search(r'["\\\n]', self.cmdline):
            raise LabError(f"guest {self.name}: cmdline may not contain quotes, \\ or newlines")
        for line in self.extra_cfg:
            m = re.fullmatch(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*=.*", line)
            if not m or "\n" in line:
                raise LabError(f"guest {self.name}: extra_cfg line {line!r} is not 'key = value'")
            if m.group(1) in LAB_KEYS:
                raise LabError(f"guest {self.name}: extra_cfg may not set {m.group(1)!r}")
        for v in self.vifs:
            if "=" not in v and not _MAC.fullmatch(v):
                raise LabError(f"guest {self.name}: vif {v!r} is neither a lower-case MAC "
                               "nor an xl vif spec")
            if re.search(r"['\"\\\n\[\]]", v):
                raise LabError(f"guest {self.name}: vif {v!r} may not contain quotes, [, ], \\")
        if self.net is not None and not self.vifs:
            raise LabError(f"guest {self.name}: net services given but no vif")
        if self.services():
            self.services().check(self.name)

    def xl_cfg(self, guest_dir):
        """The xl config; guest_dir is where dom0 puts kernel and ramdisk. dom0 appends
        the disk line."""
        q = lambda s: '"' + s + '"'
        lines = [f"name = {q(self.name)}", f"kernel = {q(guest_dir + '/kernel')}",
                 f"memory = {int(self.memory_mib)}"]
        if self.ramdisk:
            lines.append(f"ramdisk = {q(guest_dir + '/ramdisk')}")
        if self.cmdline is not None:
            lines.append(f"cmdline = {q(self.cmdline)}")
        if not any(re.match(r"\s*vcpus\s*=", l) for l in self.extra_cfg):
            lines.append("vcpus = 1")
        # Keep the domain after any shutdown: dom0 reads the reason from `xl create -F`,
        # lets the console drain, then destroys it.
        for key in ("on_poweroff", "on_reboot", "on_crash", "on_watchdog", "on_soft_reset"):
            lines.append(f'{key} = "preserve"')
        if self.vifs:
            lines.append("vif = [ " + ", ".join(f"'{v}'" for v in self.vif_specs()) + " ]")
        lines += [l.strip() for l in self.extra_cfg]
        return "\n".join(lines) + "\n"


def _put(src, dst):
    """Hard link when possible (disk images can be large), else copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


class _Stream:
    """Reads a socket in a thread: raw bytes to a log file, decoded text kept in memory."""

    def __init__(self, sock, log_path, name):
        self.name = name
        self._sock = sock
        self._log = open(log_path, "wb", buffering=0)   # one Lab run per log
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._cond = threading.Condition()
        self._text = ""
        self._arrivals = []
        self.closed = False
        self._thread = threading.Thread(target=self._run, name=f"lab-{name}", daemon=True)
        self._thread.start()

    def _run(self):
        try:
            while True:
                data = self._sock.recv(65536)
                if not data:
                    break
                self._feed(data)
        except OSError:
            pass
        finally:
            with self._cond:
                self._feed_text(self._decoder.decode(b"", final=True))
                self.closed = True
                self._cond.notify_all()

    def _feed(self, data):
        self._log.write(data)
        with self._cond:
            self._feed_text(self._decoder.decode(data))
            self._cond.notify_all()

    def _feed_text(self, text):
        self._text += text
        # When each stretch of text arrived: (text length after it, monotonic time).
        if text:
            self._arrivals.append((len(self._text), time.monotonic()))

    def arrival_time(self, pos):
        """Monotonic time at which the text up to offset pos had arrived."""
        with self._cond:
            i = bisect.bisect_left(self._arrivals, (pos, -1.0))
            return self._arrivals[min(i, len(self._arrivals) - 1)][1] if self._arrivals else None

    def text(self):
        with self._cond:
            return self._text

    def close(self):
        try:
            self._sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._sock.close()
        self._thread.join(5)
        self._log.close()


class _Serial(_Stream):
    """QEMU's serial: Xen and dom0. Collects the "LAB: ..." event lines."""

    def __init__(self, *args):
        self.events = []
        self.event_times = []     # arrival time (monotonic) of each event line
        self.event_time_by = {}   # (kind, guest name) -> arrival time of the latest such line
        self._line = ""
        super().__init__(*args)

    def _feed_text(self, text):
        super()._feed_text(text)
        *lines, self._line = (self._line + text).split("\n")
        for line in lines:
            for kind, rx in _EVENTS:
                m = rx.search(line)
                if m:
                    self.events.append((kind, *m.groups()))
                    self.event_times.append(time.monotonic())
                    self.event_time_by[(kind, m.group(1) if m.groups() else "")] = self.event_times[-1]
                    break


class Console(_Stream):
    """The current guest's PV console. Output of all guests, in order, forms one stream;
    expect() searches it from the end of the previous match.
    Input is passed to the guest byte for byte: no "\\n" -> "\\r" translation (sendline sends
    "\\r", as a terminal's Enter does). A lone 0x1d (Ctrl-]) makes xenconsole detach: avoid it.
    """

    def __init__(self, *args):
        self._pending = b""       # bytes held back: possibly the start of an end frame
        self.ended = []           # guest names whose end frame has arrived
        self._pos = 0
        self.last_match = None    # re.Match of the last expect()
        self.last_match_time = None  # monotonic time the last match's text arrived
        super().__init__(*args)

    def _feed(self, data):
        # Strips dom0's end frames out of the stream, also when split across reads.
        data = self._pending + data
        self._pending = b""
        out = bytearray()
        while True:
            i = data.find(_END_PREFIX)
            if i < 0:
                k = next((k for k in range(len(_END_PREFIX) - 1, 0, -1)
                          if data.endswith(_END_PREFIX[:k])), 0)
                out += data[:len(data) - k]
                self._pending = data[len(data) - k:]
                break
            out += data[:i]
            m = _END_FRAME.match(data, i)
            if m:
                self._log.write(bytes(out) + b"\n[lab: end of guest %s]\n" % m.group(1))
                with self._cond:
                    self._feed_text(self._decoder.decode(bytes(out)))
                    self.ended.append(m.group(1).decode(errors="replace"))
                    self._cond.notify_all()
                out = bytearray()
                data = data[m.end():]
            elif b"\x1b\\" in data[i:] or len(data) - i > 128:
                out += data[i:i + 1]          # not a frame after all
                data = data[i + 1:]
            else:
                self._pending = data[i:]      # wait for the rest of the frame
                break
        self._log.write(bytes(out))
        with self._cond:
            self._feed_text(self._decoder.decode(bytes(out)))
            self._cond.notify_all()

    def expect(self, pattern, timeout=30.0):
        """Waits for pattern in the output after the previous match and returns the matched
        text. pattern: a str (matched literally) or a compiled re.Pattern (its groups are in
        self.last_match). Raises LabTimeout (with the unmatched output) or LabError if the
        lab shut down first."""
        rx = pattern if isinstance(pattern, re.Pattern) else re.compile(re.escape(pattern))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                m = rx.search(self._text, self._pos)
                if m:
                    self._pos = m.end()
                    self.last_match = m
                    i = bisect.bisect_left(self._arrivals, (m.end(), -1.0))
                    self.last_match_time = self._arrivals[min(i, len(self._arrivals) - 1)][1]
                    return m.group(0)
                left = deadline - time.monotonic()
                if self.closed or left <= 0:
                    why = "the console closed (QEMU exited)" if self.closed else \
                        f"timeout after {timeout:g} s"
                    raise (LabError if self.closed else LabTimeout)(
                        f"console: {why} waiting for {rx.pattern!r}; output since the last "
                        f"match:\n{_tail(self._text[self._pos:])}")
                self._cond.wait(min(left, 1.0))

    def output(self, since_last_match=False):
        """All guest console text so far (or only what follows the last match)."""
        with self._cond:
            return self._text[self._pos:] if since_last_match else self._text

    def send(self, data):
        """Sends text (str, UTF-8) or bytes to the guest as they are."""
        self._sock.sendall(data.encode() if isinstance(data, str) else data)

    def sendline(self, text=""):
        self.send(text + "\r")

    def _wait_ended(self, name, timeout):
        deadline = time.monotonic() + timeout
        with self._cond:
            while name not in self.ended and not self.closed and time.monotonic() < deadline:
                self._cond.wait(0.2)


def _listen(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(1)
    return s


def _die_with_parent():
    # QEMU must not outlive lab.py, even if lab.py is SIGKILLed: PR_SET_PDEATHSIG (1).
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class Lab:
    """Boots QEMU + Xen + dom0 and runs `guests` in order (see module doc).

    workdir: scratch directory (<workdir>/share is recreated). log_dir: default
    <workdir>/logs; gets serial.log (Xen + dom0), console.log (guest consoles), qemu.log
    (command line and QEMU's own messages) and guests/ (xl and xenconsole logs, dom0's
    dmesg and hotplug logs). Memory is sized from the guests unless given:
    dom0 = 512 MiB + the largest guest's disks; QEMU = dom0 + largest guest + 512 MiB, at
    least 2048 MiB.
    xenstored: "oxenstored" (Debian's default) or "xenstored" (the C one).
    xen_args / dom0_args: appended to Xen's / dom0 Linux's command line.
    srv_dir: a host directory served over TFTP and HTTP to guests with a vif (its tree is
    copied into dom0's RAM, /run/srv, before the first such guest); dom0's memory grows by
    its size and that of the guests' NetServices.files.
    """

    def __init__(self, workdir, guests, log_dir=None, *, boot_timeout=180.0,
                 qemu_memory_mib=None, dom0_memory_mib=None, xenstored="oxenstored",
                 xen_args="", dom0_args="", files_dir=None, srv_dir=None):
        self.workdir = os.path.abspath(workdir)
        self.guests = list(guests)
        self.log_dir = os.path.abspath(log_dir or os.path.join(self.workdir, "logs"))
        self.boot_timeout = boot_timeout
        self.files_dir = files_dir or lab_dir()
        self.xenstored = xenstored
        self.xen_args, self.dom0_args = xen_args, dom0_args
        if xenstored not in ("oxenstored", "xenstored"):
            raise LabError("xenstored must be 'oxenstored' or 'xenstored'")
        names = [g.name for g in self.guests]
        if len(set(names)) != len(names):
            raise LabError(f"guest names must be unique: {names}")
        for g in self.guests:
            g.check()
        self.srv_dir = srv_dir
        if srv_dir is not None and not os.path.isdir(srv_dir):
            raise LabError(f"srv_dir {srv_dir}: not a directory")
        mib = lambda n: math.ceil(n / 2**20)
        disk_mib = max([mib(sum(os.path.getsize(d) for d in g.disks)) for g in self.guests] + [0])
        # Served files live in dom0's tmpfs for the whole run.
        srv_bytes = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(srv_dir or "")
                        for f in fs if os.path.isfile(os.path.join(d, f)))
        srv_bytes += sum(os.path.getsize(src) for g in self.guests if g.services()
                         for src in g.services().files.values())
        self.dom0_memory_mib = dom0_memory_mib or 512 + disk_mib + mib(srv_bytes)
        guest_mib = max([g.memory_mib for g in self.guests] + [0])
        # Xen gives dom0 1:1-mapped memory in large aligned blocks: -m 768 with 512 MiB for
        # dom0 fails ("Failed to allocate requested dom0 memory"). With bootscrub=false, RAM
        # that nobody touches costs the host nothing, so be generous.
        self.qemu_memory_mib = qemu_memory_mib or \
            max(2048, 256 * math.ceil((self.dom0_memory_mib + guest_mib + 512) / 256))
        self.console = None
        self.timings = {}        # seconds: "dom0_ready", per guest "start:NAME", "end:NAME"
        self._serial = None
        self._proc = None
        self._sockdir = None
        self._lock = None
        self._ev_pos = 0
        self._t0 = None
        self.last_event_time = None
        self._cmd_seq = 0

    # --- life cycle ---------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Writes the share, starts QEMU, waits for "LAB: dom0 ready"."""
        files = {n: os.path.join(self.files_dir, n) for n in ("xen", "Image", "dom0-initramfs.cpio.gz")}
        for path in files.values():
            if not os.path.isfile(path):
                raise LabError(f"{path} missing: run tests/system/lab/setup.sh")
        os.makedirs(self.workdir, exist_ok=True)
        lock = open(os.path.join(self.workdir, ".lab-lock"), "w")
        try:  # two labs on one workdir would share (and delete) each other's files
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            raise LabError(f"{self.workdir} is in use by another lab")
        self._lock = lock
        os.makedirs(self.log_dir, exist_ok=True)
        share = self._write_share()
        # Unix socket paths are limited to 107 bytes: keep them in a short temporary dir.
        self._sockdir = tempfile.mkdtemp(prefix="xenboot-lab-")
        ser_path = os.path.join(self._sockdir, "serial")
        con_path = os.path.join(self._sockdir, "console")
        listeners = [_listen(ser_path), _listen(con_path)]
        esc = lambda p: p.replace(",", ",,")
        xen_cmd = (f"console=dtuart dtuart=/pl011@9000000 dom0_mem={self.dom0_memory_mib}M "
                   f"dom0_max_vcpus=2 bootscrub=false loglvl=all guest_loglvl=all {self.xen_args}")
        dom0_cmd = f"console=hvc0 earlycon=xen rdinit=/init {self.dom0_args}"
        cmd = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
               "-cpu", "cortex-a57", "-smp", "2", "-m", str(self.qemu_memory_mib),
               "-nographic", "-monitor", "none", "-no-reboot",
               # no default NIC: its PCI option ROM (ipxe-qemu) is not installed, nor needed
               "-nic", "none",
               "-chardev", f"socket,id=serial0,path={esc(ser_path)}", "-serial", "chardev:serial0",
               "-kernel", files["xen"], "-append", xen_cmd.strip(),
               "-device", f"guest-loader,addr={DOM0_KERNEL_ADDR:#x},kernel={esc(files['Image'])},"
                          f"bootargs={esc(dom0_cmd.strip())}",
               "-device", f"guest-loader,addr={DOM0_INITRD_ADDR:#x},"
                          f"initrd={esc(files['dom0-initramfs.cpio.gz'])}",
               # 9p and virtio-serial on virtio-mmio: dom0 does not see PCI (-virtfs) devices.
               "-fsdev", f"local,id=labfs,path={esc(share)},security_model=none",
               "-device", "virtio-9p-device,fsdev=labfs,mount_tag=lab",
               "-device", "virtio-serial-device",
               "-chardev", f"socket,id=labcon,path={esc(con_path)}",
               "-device", "virtserialport,chardev=labcon,name=lab.console"]
        qlog = open(os.path.join(self.log_dir, "qemu.log"), "w")
        qlog.write(" ".join(cmd) + "\n\n")
        qlog.flush()
        self._t0 = time.monotonic()
        try:
            self._proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=qlog,
                                          stderr=subprocess.STDOUT, start_new_session=True,
                                          preexec_fn=_die_with_parent)
        finally:
            qlog.close()
        conns = []
        for lst in listeners:  # QEMU connects its chardevs in command-line order
            lst.settimeout(1.0)
            deadline = time.monotonic() + 30
            while True:
                try:
                    conns.append(lst.accept()[0])
                    break
                except socket.timeout:
                    if self._proc.poll() is not None or time.monotonic() > deadline:
                        raise LabError("QEMU did not start:\n" + self._qemu_log())
            lst.close()
        self._serial = _Serial(conns[0], os.path.join(self.log_dir, "serial.log"), "serial")
        self.console = Console(conns[1], os.path.join(self.log_dir, "console.log"), "console")
        self._wait_event({"ready"}, self.boot_timeout, "dom0 ready")
        self.timings["dom0_ready"] = time.monotonic() - self._t0

    def _write_share(self):
        share = os.path.join(self.workdir, "share")
        shutil.rmtree(share, ignore_errors=True)
        os.makedirs(os.path.join(share, "out"))
        with open(os.path.join(share, "lab.conf"), "w") as f:
            f.write(f"XENSTORED={self.xenstored}\n")
        with open(os.path.join(share, "plan"), "w") as f:
            f.write("".join(g.name + "\n" for g in self.guests))
        for g in self.guests:
            d = os.path.join(share, "guests", g.name)
            os.makedirs(d)
            _put(g.kernel, os.path.join(d, "kernel"))
            if g.ramdisk:
                _put(g.ramdisk, os.path.join(d, "ramdisk"))
            for i, disk in enumerate(g.disks):
                _put(disk, os.path.join(d, f"disk{i}.img"))
            with open(os.path.join(d, "disks"), "w") as f:
                f.write("".join(f"disk{i}.img\n" for i in range(len(g.disks))))
            with open(os.path.join(d, "xl.cfg"), "w") as f:
                f.write(g.xl_cfg(f"/run/lab/{g.name}"))   # dom0 copies the files there
            net = g.services()
            if net:   # guests/NAME/net/ makes dom0 start the network services
                os.makedirs(os.path.join(d, "net", "srv"))
                conf = net.udhcpd_conf()
                if conf:
                    with open(os.path.join(d, "net", "udhcpd.conf"), "w") as f:
                        f.write(conf)
                for rel, src in net.files.items():
                    dst = os.path.join(d, "net", "srv", rel)
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    _put(src, dst)
        if self.srv_dir:
            shutil.copytree(self.srv_dir, os.path.join(share, "srv"), copy_function=_put)
        return share

    def close(self):
        """Stops QEMU (if still running), closes the channels, collects dom0's logs."""
        if self._proc and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for s in (self._serial, self.console):
            if s:
                s.close()
        if self._sockdir:
            shutil.rmtree(self._sockdir, ignore_errors=True)
            self._sockdir = None
        out = os.path.join(self.workdir, "share", "out")
        if self._lock and os.path.isdir(out):
            shutil.rmtree(os.path.join(self.log_dir, "guests"), ignore_errors=True)
            shutil.copytree(out, os.path.join(self.log_dir, "guests"))
        if self._lock:
            self._lock.close()
            self._lock = None

    def elapsed(self):
        """Seconds since QEMU was started (the time base of self.timings)."""
        return time.monotonic() - self._t0

    # --- events -------------------------------------------------------------------------
    def _wait_event(self, kinds, timeout, what):
        """Returns the next event of one of `kinds` after the last one consumed."""
        deadline = time.monotonic() + timeout
        s = self._serial
        with s._cond:
            while True:
                while self._ev_pos < len(s.events):
                    ev = s.events[self._ev_pos]
                    self.last_event_time = s.event_times[self._ev_pos]
                    self._ev_pos += 1
                    if ev[0] == "error":
                        raise LabError(f"dom0 reported an error: {ev[1]}\n{self._serial_tail()}")
                    if ev[0] in kinds:
                        return ev
                if s.closed:   # EOF: QEMU exited and everything it printed has been read
                    raise LabError(f"QEMU exited while waiting for {what}\n{self._serial_tail()}"
                                   f"\n{self._qemu_log()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LabTimeout(f"timeout after {timeout:g} s waiting for {what}\n"
                                     f"{self._serial_tail()}")
                s._cond.wait(min(left, 0.5))

    def wait_guest_start(self, timeout=60.0):
        """Waits until dom0 has unpaused the next guest; returns its domid."""
        _, name, domid = self._wait_event({"started"}, timeout, "a guest to start")
        # When dom0's line arrived (just after `xl unpause`), not when it was read here.
        self.timings["start:" + name] = self.last_event_time - self._t0
        return int(domid)

    def event_time(self, kind, name=""):
        """Monotonic arrival time of dom0's latest `kind` line for guest `name` (e.g.
        "unpausing": printed just before `xl unpause`; "started": just after), or None."""
        with self._serial._cond:
            return self._serial.event_time_by.get((kind, name))

    def wait_guest_end(self, timeout=60.0):
        """Waits for the next guest's end; returns "poweroff", "reboot", "crash" (or
        "watchdog", "suspend", "soft_reset", "destroyed"). When it returns, all of that
        guest's console output is in self.console. Raises LabError if dom0 could not run
        the guest (xl create failed, ...)."""
        _, name, reason = self._wait_event({"ended"}, timeout, "a guest to end")
        self.timings["end:" + name] = time.monotonic() - self._t0
        self.console._wait_ended(name, 5.0)
        if reason.startswith("error"):
            raise LabError(f"guest {name}: {reason}\n{self._guest_logs(name)}")
        return reason

    def wait_done(self, timeout=60.0):
        """Waits until dom0 has run every guest and QEMU has exited; returns QEMU's status."""
        self._wait_event({"done"}, timeout, "all guests done")
        try:
            return self._proc.wait(max(1.0, timeout))
        except subprocess.TimeoutExpired:
            raise LabTimeout("QEMU did not exit after dom0's poweroff\n" + self._serial_tail())

    # --- dom0 commands --------------------------------------------------------------------
    def dom0_run(self, command, timeout=60.0):
        """Runs a shell command (busybox sh) in dom0 while a guest runs, with $GUEST and
        $DOMID set to the running guest's name and domid; returns (exit status, output).
        dom0 looks for commands every 0.1 s, only between a guest's unpause and its end:
        to act at a point of the guest's run, expect() its console marker first, e.g.
            lab.console.expect("bytes read")
            lab.dom0_run("xl block-detach --force $DOMID xvda")
        Raises LabTimeout if dom0 did not finish it in time (no guest running, or the
        command hangs). Does not consume guest events (wait_guest_end still sees them)."""
        self._cmd_seq += 1
        cid = f"c{self._cmd_seq}"
        d = os.path.join(self.workdir, "share", "cmd")
        os.makedirs(d, exist_ok=True)
        tmp = os.path.join(d, f".{cid}.tmp")
        with open(tmp, "w") as f:
            f.write(command + "\n")
        os.replace(tmp, os.path.join(d, f"{cid}.sh"))   # complete when dom0 sees it
        deadline = time.monotonic() + timeout
        s = self._serial
        with s._cond:
            while True:
                rc = next((int(ev[2]) for ev in s.events if ev[0] == "cmd" and ev[1] == cid), None)
                if rc is not None:
                    break
                if s.closed:
                    raise LabError(f"QEMU exited while dom0 ran {command!r}\n{self._serial_tail()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LabTimeout(f"dom0 did not run {command!r} within {timeout:g} s (is a "
                                     f"guest running?)\n{self._serial_tail()}")
                s._cond.wait(min(left, 0.5))
        try:
            with open(os.path.join(d, f"{cid}.out"), errors="replace") as f:
                out = f.read()
        except OSError:
            out = ""
        return rc, out

    # --- logs ---------------------------------------------------------------------------
    def serial_log(self):
        """Everything QEMU's serial printed so far (Xen and dom0)."""
        return self._serial.text() if self._serial else ""

    def _serial_tail(self):
        return "--- serial (tail) ---\n" + _tail(self.serial_log())

    def _qemu_log(self):
        try:
            with open(os.path.join(self.log_dir, "qemu.log")) as f:
                return "--- qemu.log ---\n" + _tail(f.read())
        except OSError:
            return ""

    def _guest_logs(self, name):
        d = os.path.join(self.workdir, "share", "out", name)
        text = ""
        for n in ("xl.log", "xenconsole.log"):
            try:
                with open(os.path.join(d, n)) as f:
                    text += f"--- {n} ---\n{_tail(f.read())}\n"
            except OSError:
                pass
        return text


# --- CLI ---------------------------------------------------------------------------------
def _interactive(args):
    import tty
    import termios
    ensure_setup()
    net = None
    if args.vif and (args.boot_file or args.pxe_config):
        net = NetServices(boot_file=args.boot_file or "pxelinux.0", pxe_config=args.pxe_config)
    spec = GuestSpec("guest", args.kernel, args.memory, extra_cfg=args.cfg or [],
                     disks=args.disk or [], ramdisk=args.ramdisk, cmdline=args.cmdline,
                     vifs=args.vif or [], net=net)
    workdir = args.workdir or tempfile.mkdtemp(prefix="xenboot-lab-")
    fd = sys.stdin.fileno()
    is_tty = os.isatty(fd)
    err = lambda msg: print(f"\r\nlab: {msg}", file=sys.stderr, flush=True)
    err(f"booting Xen + dom0 (logs: {args.log_dir or os.path.join(workdir, 'logs')})")
    with Lab(workdir, [spec], log_dir=args.log_dir, srv_dir=args.srv) as lab:
        lab.wait_guest_start(180)   # xl loads a 33 MB Linux Image in ~5-10 s
        err(f"guest up after {lab.elapsed():.1f} s; Ctrl-] quits\r")
        saved = termios.tcgetattr(fd) if is_tty else None
        if is_tty:
            tty.setraw(fd)
        pos, stdin_open, reason = 0, True, None
        deadline = time.monotonic() + args.timeout if args.timeout else None
        try:
            while reason is None:
                text = lab.console.output()
                if len(text) > pos:
                    sys.stdout.write(text[pos:])
                    sys.stdout.flush()
                    pos = len(text)
                if deadline and time.monotonic() > deadline:
                    raise LabTimeout(f"guest still running after {args.timeout} s")
                ready = select.select([fd], [], [], 0.05)[0] if stdin_open else time.sleep(0.05)
                if ready:
                    data = os.read(fd, 4096)
                    if not data:
                        stdin_open = False           # piped input done: keep watching output
                    elif b"\x1d" in data:
                        err("quit (Ctrl-])")
                        return 1
                    else:
                        lab.console.send(data if is_tty else data.replace(b"\n", b"\r"))
                try:
                    reason = lab.wait_guest_end(0)
                except LabTimeout:
                    pass
            sys.stdout.write(lab.console.output()[pos:])
            sys.stdout.flush()
        finally:
            if is_tty:
                termios.tcsetattr(fd, termios.TCSADRAIN, saved)
        err(f"guest ended: {reason}")
        lab.wait_done(60)
    return 0 if reason in ("poweroff", "reboot") else 2


def main(argv=None):
    p = argparse.ArgumentParser(description="xenboot system-test lab (QEMU + Xen + dom0)")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("setup", help="fetch the Debian packages and build the boot files")
    i = sub.add_parser("interactive", help="boot one guest and bridge this terminal to its "
                       "console until it ends (exit 0: poweroff/reboot, 2: other end, 1: error)")
    i.add_argument("--kernel", required=True, help="guest kernel (e.g. the xenboot image)")
    i.add_argument("--memory", type=int, default=64, help="guest memory in MiB (default 64)")
    i.add_argument("--disk", action="append", help="raw disk image (repeat: xvda, xvdb, ...)")
    i.add_argument("--ramdisk", help="guest ramdisk")
    i.add_argument("--cmdline", help="guest command line")
    i.add_argument("--cfg", action="append", help="extra xl.cfg line, e.g. 'vcpus = 2'")
    i.add_argument("--vif", action="append", metavar="MAC",
                   help=f"a vif on dom0's bridge {NET_BRIDGE} (e.g. {DEFAULT_MAC}; repeat for "
                   f"more): dom0 serves DHCP, TFTP and HTTP on {NET_DOM0_IP}")
    i.add_argument("--srv", metavar="DIR", help="directory served over TFTP and HTTP (with --vif)")
    i.add_argument("--boot-file", help="DHCP boot file (BOOTP file, option 67; default pxelinux.0)")
    i.add_argument("--pxe-config", help="DHCP option 209 (PXELINUX config file)")
    i.add_argument("--timeout", type=float, help="give up after this many seconds")
    i.add_argument("--workdir", help="scratch directory (default: a new one under /tmp)")
    i.add_argument("--log-dir", help="log directory (default: <workdir>/logs)")
    args = p.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # so QEMU is stopped on the way
    if args.cmd == "setup":
        ensure_setup()
        return 0
    try:
        return _interactive(args)
    except LabError as e:
        print(f"\nlab: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
