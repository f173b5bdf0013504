"""Talks to a Jupyter kernel through jupyter_client, as Jupyter front ends do, for the kernel tests.

Usage: python3 kernel_driver.py KERNEL_NAME < requests.json > replies.json
Requests: a JSON list of {"op": "execute", "code": ..., "interrupt_after": seconds (optional)},
{"op": "complete", "code": ..., "cursor": n} or {"op": "inspect", "code": ..., "cursor": n}.
Replies: one JSON object per request with the reply content and, for execute, the outputs the
kernel published (streams, display data, results, errors) in order.
"""
import json
import sys
import threading

from jupyter_client.manager import start_new_kernel

TIMEOUT = 120


def collect_outputs(client, msg_id):
    outputs = []
    while True:
        msg = client.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "status" and content["execution_state"] == "idle":
            return outputs
        if kind == "stream":
            outputs.append({"type": "stream", "name": content["name"], "text": content["text"]})
        elif kind in ("display_data", "execute_result", "update_display_data"):
            outputs.append({"type": kind, "data": content["data"],
                            "display_id": content.get("transient", {}).get("display_id")})
        elif kind == "error":
            outputs.append({"type": "error", "ename": content["ename"], "evalue": content["evalue"],
                            "traceback": content["traceback"]})


def shell_reply(client, msg_id):
    while True:
        msg = client.get_shell_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


def execute(manager, client, request):
    msg_id = client.execute(request["code"])
    timer = None
    if "interrupt_after" in request:
        timer = threading.Timer(request["interrupt_after"], manager.interrupt_kernel)
        timer.start()
    outputs = collect_outputs(client, msg_id)
    reply = shell_reply(client, msg_id)
    if timer:
        timer.cancel()
    return {"status": reply["status"], "outputs": outputs}


def main():
    kernel_name = sys.argv[1]
    requests = json.load(sys.stdin)
    manager, client = start_new_kernel(kernel_name=kernel_name, startup_timeout=TIMEOUT)
    replies = []
    try:
        for request in requests:
            op = request["op"]
            if op == "execute":
                replies.append(execute(manager, client, request))
            elif op == "complete":
                msg_id = client.complete(request["code"], request["cursor"])
                replies.append(shell_reply(client, msg_id))
            elif op == "inspect":
                msg_id = client.inspect(request["code"], request["cursor"], detail_level=0)
                replies.append(shell_reply(client, msg_id))
            else:
                raise ValueError("unknown op " + op)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    json.dump(replies, sys.stdout, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
