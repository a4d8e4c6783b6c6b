#!/usr/bin/env python3
"""System test of the hush shell: boots the real xenboot.bin as a DomU under QEMU + Xen
+ a Linux dom0 (tests/system/lab) with name=value words in xl's cmdline (they become
/chosen/bootargs; xenboot sets them as environment variables at start-up), checks they
were set, runs scripts with variables, conditionals and loops on the PV console and
checks their output, stops an endless loop with Ctrl-C, and uses history (Up arrow) and
tab completion (single and double Tab) over the console.

Prints one PASS/FAIL line per check and a closing "N passed, N failed" line; exits
non-zero on any failure.

usage: test_script.py [--firmware build/fw/xenboot.bin] [--workdir build/systest/script]
"""

import argparse
import re
import sys
import time

from harness import FIRMWARE, Checks, expect, guest_end, labmod, run_in_lab, summary, systest_dir

CMDLINE = "console=hvc0 bootdelay=0 greeting=hello-from-cmdline bootcmd='run mine' mine='echo mine ran'"


def run_guest(checks, lab):
    c = lab.console
    lab.wait_guest_start(timeout=120)
    if not expect(checks, c, "banner", re.compile(r"xenboot \d+\.\d+\.\d+ \(.*\) on Xen 4\.17"), 60):
        return
    expect(checks, c, "bootargs variables announced", "Environment: 5 variables from bootargs\r\n")
    expect(checks, c, "prompt", "=> ", 30)

    # The cmdline's name=value words, quotes removed, override the defaults.
    c.sendline("printenv bootdelay greeting bootcmd mine")
    expect(checks, c, "bootdelay from cmdline overrides the default", "bootdelay=0\r\n")
    expect(checks, c, "greeting from cmdline", "greeting=hello-from-cmdline\r\n")
    expect(checks, c, "quoted bootcmd from cmdline", "bootcmd=run mine\r\n")
    expect(checks, c, "quoted value with blanks", "mine=echo mine ran\r\n")
    c.sendline("run bootcmd")
    expect(checks, c, "run bootcmd runs the cmdline's script", "run bootcmd\r\nmine ran\r\n=> ")

    # Variables, a loop with a conditional, setexpr arithmetic.
    c.sendline("setenv n 0; for w in alpha beta gamma; do setexpr n $n + 1; "
               "if test $w = beta; then echo \"second is $w\"; else echo \"word $n: $w\"; fi; done; echo count=$n")
    expect(checks, c, "for/if: first word", "word 1: alpha\r\n")
    expect(checks, c, "for/if: the else branch is skipped for beta", "second is beta\r\n")
    expect(checks, c, "for/if: third word", "word 3: gamma\r\n")
    expect(checks, c, "for/if: counter", "count=3\r\n=> ")
    c.sendline("setenv i 0; while itest $i < 3; do echo tick$i; setexpr i $i + 1; done")
    expect(checks, c, "while loop", "tick0\r\ntick1\r\ntick2\r\n=> ")
    c.sendline("x=local; setenv x global; echo $x; printenv x; false || echo status=$?; true && echo and-ok")
    expect(checks, c, "local variable hides the environment (U-Boot hush)", "local\r\nx=global\r\n")
    expect(checks, c, "|| and $?", "status=1\r\n")
    expect(checks, c, "&&", "and-ok\r\n=> ")

    # A multi-line construct: continuation prompt "> ".
    c.sendline("if test -n \"$greeting\"")
    expect(checks, c, "continuation prompt after an open if", "if test -n \"$greeting\"\r\n> ")
    c.sendline("then echo greeting is $greeting")
    expect(checks, c, "continuation prompt again", "> ")
    c.sendline("fi")
    expect(checks, c, "multi-line if ran", "greeting is hello-from-cmdline\r\n=> ")

    # Syntax errors are positioned and nothing of the line runs.
    c.sendline("echo must-not-run; fi")
    expect(checks, c, "syntax error with its column", "syntax error: column 20: unexpected 'fi'\r\n=> ")
    checks.check("nothing of a bad line ran", "must-not-run\r\n" not in c.output(), "echo ran")

    # Ctrl-C stops an endless loop and the prompt comes back.
    c.sendline("while true; do; done")
    time.sleep(1.0)
    c.send("\x03")
    expect(checks, c, "Ctrl-C interrupts a running loop", "<INTERRUPT>\r\n=> ", 10)
    c.sendline("echo alive")
    expect(checks, c, "the shell works after the interrupt", "alive\r\n=> ")

    # History: Up brings back the previous line.
    c.sendline("echo history-check")
    expect(checks, c, "line for history", "history-check\r\n=> ")
    c.send("\x1b[A")
    expect(checks, c, "Up arrow redraws the previous line", "echo history-check")
    c.send("\r")
    expect(checks, c, "the recalled line runs", "\r\nhistory-check\r\n=> ")

    # Completion: a command, a variable name, and a listing on double Tab.
    c.send("printe\t")
    expect(checks, c, "Tab completes a command", "printenv ")
    c.send("gree\t")
    expect(checks, c, "Tab completes a variable name argument", "greeting ")
    c.send("\r")
    expect(checks, c, "completed line runs", "greeting=hello-from-cmdline\r\n=> ")
    c.sendline("setenv tabvar1 one; setenv tabvar2 two")
    expect(checks, c, "variables for completion", "=> ")
    c.send("echo ${tabv\t")
    expect(checks, c, "Tab completes the common prefix", "echo ${tabvar")
    c.send("\t")
    expect(checks, c, "double Tab lists the candidates", re.compile(r"\r\ntabvar1 +tabvar2 *\r\n=> echo \$\{tabvar"))
    c.send("2\t\r")
    expect(checks, c, "completed ${tabvar2} runs", "two\r\n=> ")

    c.sendline("poweroff")
    expect(checks, c, "poweroff", "Powering off...")
    reason = guest_end(lab)
    checks.check("guest ended by power-off", reason == "poweroff", f"ended: {reason}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--firmware", default=FIRMWARE)
    ap.add_argument("--workdir", default=systest_dir("script"))
    args = ap.parse_args()
    checks = Checks()
    guests = [labmod.GuestSpec("xenboot-script", kernel=args.firmware, memory_mib=64, cmdline=CMDLINE)]
    seconds = run_in_lab(checks, args.workdir, guests, lambda lab: run_guest(checks, lab))
    print(f"whole lab run: {seconds:.1f} s")
    return summary(checks, args.workdir)


if __name__ == "__main__":
    sys.exit(main())
