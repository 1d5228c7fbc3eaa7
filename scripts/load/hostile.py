#!/usr/bin/env python3
"""Hostile clients for the load test: for DURATION seconds, keep COUNT connections to
HOST:PORT busy with the slow and half-sent requests of issue 13, reconnecting each time
the server cuts one. Prints one JSON line: connections opened and cut by the server.

usage: hostile.py HOST PORT COUNT DURATION
"""

import asyncio
import json
import sys
import time


async def one(host, port, kind, until, stats):
    while time.monotonic() < until:
        try:
            reader, writer = await asyncio.open_connection(host, port)
        except OSError:
            await asyncio.sleep(0.5)
            continue
        stats["opened"] += 1
        try:
            if kind == "slow_headers":
                data = b"POST /v1/batches HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 4096
                for byte in data:
                    writer.write(bytes([byte]))
                    await writer.drain()
                    if await closed(reader, 1.0) or time.monotonic() >= until:
                        break
            elif kind == "slow_body":
                writer.write(b"POST /v1/batches HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                await writer.drain()
                while time.monotonic() < until:
                    writer.write(b" ")
                    await writer.drain()
                    if await closed(reader, 1.0):
                        break
            else:  # half-sent: half a head, then nothing
                writer.write(b"POST /v1/batches HTTP/1.1\r\nHost: x\r\nContent-Le")
                await writer.drain()
                while time.monotonic() < until and not await closed(reader, 1.0):
                    pass
            if time.monotonic() < until:
                stats["cut"] += 1
        except OSError:
            stats["cut"] += 1
        finally:
            writer.close()


async def closed(reader, wait):
    """Whether the server closed the connection within `wait` seconds."""
    try:
        data = await asyncio.wait_for(reader.read(4096), wait)
        return data == b"" or data.startswith(b"HTTP/1.1 408")
    except asyncio.TimeoutError:
        return False
    except OSError:
        return True


async def main():
    host, port, count, duration = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    until = time.monotonic() + duration
    stats = {"opened": 0, "cut": 0}
    kinds = ["slow_headers", "slow_body", "half_sent"]
    await asyncio.gather(*(one(host, port, kinds[i % 3], until, stats) for i in range(count)))
    print(json.dumps({"hostile_clients": count, **stats}))


asyncio.run(main())
