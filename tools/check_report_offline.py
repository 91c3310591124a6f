#!/usr/bin/env python3
"""Fails if a page made any network request, from a Chromium net log (--log-net-log).

    python3 tools/check_report_offline.py NETLOG.json [--expect-requests]

A request the page made carries the page's origin as its initiator ("null" for a file://
page); Chromium's own background requests (updates, time, accounts) carry "not an origin"
and are ignored. --expect-requests inverts the check, for a control page that does fetch
something: it shows the check can see a request when there is one.
"""
import json
import sys


def page_requests(path):
    with open(path) as f:
        log = json.load(f)
    return sorted({e["params"]["url"] for e in log["events"]
                   if "url" in e.get("params", {}) and e["params"].get("initiator", "not an origin") != "not an origin"})


def main():
    urls = page_requests(sys.argv[1])
    expect = "--expect-requests" in sys.argv
    for url in urls:
        print(("control request: " if expect else "NETWORK REQUEST: ") + url)
    if bool(urls) != expect:
        sys.exit(f"{sys.argv[1]}: " + ("no request seen from the control page" if expect else "the page made requests"))
    print(f"{sys.argv[1]}: " + ("the control page's request was seen" if expect else "no network request"))


if __name__ == "__main__":
    main()
