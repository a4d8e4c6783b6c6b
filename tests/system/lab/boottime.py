"""Boot-time measurement for lab guests, on the host clock: from the DomU's unpause to the
first console output matching a pattern (e.g. xenboot's prompt, or the Linux guest's
"XENBOOT-GUEST: linux up" line).

dom0 prints "LAB: guest NAME unpausing domid N" just before `xl unpause` and "LAB: guest
NAME started domid N" just after it returns; the real unpause lies between the two lines'
arrival times (lab.event_time()). The match's time is when the matched text arrived on the
console socket (Console.last_match_time). So a figure is an interval [low, high]:
  low  = match - "started"     (unpause happened at the latest when "started" arrived)
  high = match - "unpausing"   (and at the earliest when "unpausing" arrived)
high - low is the lab's own uncertainty (`xl unpause` plus the serial line, ~10-50 ms).
Both serial and console are read by lab.py threads that stamp arrivals with
time.monotonic(), so the figure includes no polling delay of the caller.

    timing = time_to_console(lab, "guest", re.compile(r"=> "))   # inside a running Lab
    timing = measure_boot(GuestSpec(...), "XENBOOT-GUEST: linux up", workdir)   # own Lab

Not included: dom0's `xl create` (building the domain, loading kernel/ramdisk: seconds for
a 33 MB Linux Image), which happens before "unpausing".
"""

import dataclasses
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lab as labmod  # noqa: E402


@dataclasses.dataclass
class BootTiming:
    guest: str
    pattern: str
    matched: str            # the matched console text
    low: float              # seconds, match - "started" (after `xl unpause`)
    high: float             # seconds, match - "unpausing" (before `xl unpause`)
    end: str = None         # how the guest ended (measure_boot only): "poweroff", ...,
                            # "stopped" (lab closed while it ran) or None (not waited for)

    @property
    def seconds(self):
        """The midpoint of [low, high]."""
        return (self.low + self.high) / 2

    def __str__(self):
        return (f"{self.guest}: unpause -> {self.pattern!s}: {self.low * 1000:.0f}.."
                f"{self.high * 1000:.0f} ms")


def time_to_console(lab, name, pattern, timeout=120.0):
    """For guest `name`, which lab.wait_guest_start() has just reported (call it first):
    waits for `pattern` (str: literal, re.Pattern: regex) on the console, searching from
    the end of the previous match as Console.expect does, and returns a BootTiming.
    Raises lab.LabTimeout / LabError as expect() does."""
    text = lab.console.expect(pattern, timeout)
    t_match = lab.console.last_match_time
    t_before, t_after = lab.event_time("unpausing", name), lab.event_time("started", name)
    if t_before is None or t_after is None:
        raise labmod.LabError(f"no unpausing/started lines for guest {name}: was "
                              "wait_guest_start() called for it?")
    pat = pattern.pattern if hasattr(pattern, "pattern") else pattern
    return BootTiming(name, pat, text, t_match - t_after, t_match - t_before)


def measure_boot(spec, pattern, workdir, *, timeout=180.0, wait_end=True, end_timeout=60.0,
                 **lab_kwargs):
    """Boots a lab with the one guest `spec` (a lab.GuestSpec), measures unpause -> first
    console match of `pattern`, then (wait_end) waits up to end_timeout for the guest to
    end by itself, or stops the lab at once (wait_end=False, or the guest does not end:
    then end = "stopped"). lab_kwargs go to lab.Lab (e.g. log_dir). Returns a BootTiming.
    One lab boot costs ~5-15 s before the guest even starts: to time several guests,
    put them in one Lab and call time_to_console() after each wait_guest_start()."""
    with labmod.Lab(workdir, [spec], **lab_kwargs) as lab:
        lab.wait_guest_start(timeout)
        timing = time_to_console(lab, spec.name, pattern, timeout)
        timing.end = "stopped"
        if wait_end:
            try:
                timing.end = lab.wait_guest_end(end_timeout)
                lab.wait_done(60)
            except labmod.LabTimeout:
                pass
    return timing
