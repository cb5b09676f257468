"""Reads a Nas world snapshot with msgpack alone (docs/snapshot-world.md) and prints a JSON summary.

Usage: read_world_snapshot.py SNAPSHOT
"""
import json
import math
import struct
import sys

import msgpack

CRC_TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    CRC_TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


FORMATS = {"float32": "f", "float64": "d", "int64": "q", "int32": "i", "bool": "?", "uint8": "B"}


def finite(x):
    return x if math.isfinite(x) else None


def main(path):
    data = open(path, "rb").read()
    snap = msgpack.unpackb(data, raw=False, strict_map_key=False)
    assert snap["magic"] == "NAS-SNAPSHOT"
    stored = struct.unpack(">I", data[-4:])[0]
    header, body = snap["header"], snap["body"]
    tensors = []
    for t in body["tensors"]:
        count = 1
        for d in t["shape"]:
            count *= d
        values = struct.unpack("<%d%s" % (count, FORMATS[t["dtype"]]), t["data"])
        tensors.append({"owner": t["owner"], "name": t["name"], "dtype": t["dtype"], "shape": t["shape"],
                        "requires_grad": t["requires_grad"], "sum": finite(sum(float(v) for v in values))})
    summary = {
        "crc_ok": stored == crc32c(data[:-12]),
        "step": header["step"],
        "kind": header["kind"],
        "schema": header["schema"],
        "next_sequence": body["allocator"]["next_sequence"],
        "entities": [[e["index"], e["generation"], e["sequence"], sorted(e["components"])] for e in body["entities"]],
        "resources": sorted(body["resources"]),
        "tensors": tensors,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main(sys.argv[1])
