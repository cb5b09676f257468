#!/usr/bin/python3
# Oracle for the MessagePack interop tests: Debian's python3-msgpack reads what Nas writes and writes what Nas reads.
#   check FILE      decode FILE and assert it equals KNOWN; prints "ok"
#   emit FILE       write KNOWN to FILE
#   repack IN OUT   decode every document in IN and re-encode each with msgpack's own packer into OUT
import sys
import msgpack
from msgpack import ExtType, Timestamp

KNOWN = {
    "nil": None,
    "bools": [True, False],
    "ints": [0, 1, 127, 128, 255, 256, 65535, 65536, 4294967295, 4294967296, 2**63 - 1, 2**64 - 1,
             -1, -32, -33, -128, -129, -32768, -32769, -2**31, -2**31 - 1, -2**63],
    "f64": [1.5, -0.0, float("inf"), 1e300],
    "str": ["", "héllo €", "x" * 40, "y" * 300, "z" * 70000],
    "bin": [b"", b"\x00\x01\xff", b"\xab" * 300, b"\xcd" * 70000],
    "ext": [ExtType(5, b"a"), ExtType(6, b"ab"), ExtType(7, b"abc"), ExtType(8, b"abcd"), ExtType(9, b"12345678"),
            ExtType(10, b"0123456789abcdef"), ExtType(11, b"q" * 300), ExtType(127, b"r" * 70000)],
    "ts": [Timestamp(0, 0), Timestamp(1700000000, 0), Timestamp(1700000000, 123456700), Timestamp(2**34, 500), Timestamp(-1, 500)],
    "nested": [[], {}, [[[1]]], {"a": {"b": [None]}}],
    5: "int key",
}


def main():
    mode = sys.argv[1]
    if mode == "check":
        with open(sys.argv[2], "rb") as f:
            value = msgpack.unpackb(f.read(), raw=False, strict_map_key=False)
        if value != KNOWN:
            for key in KNOWN:
                if value.get(key) != KNOWN[key]:
                    print(f"mismatch at {key!r}: got {value.get(key)!r:.200}", file=sys.stderr)
            sys.exit(1)
        if not isinstance(value["f64"][0], float) or str(value["f64"][1]) != "-0.0":
            print("float types differ", file=sys.stderr)
            sys.exit(1)
        print("ok")
    elif mode == "emit":
        with open(sys.argv[2], "wb") as f:
            f.write(msgpack.packb(KNOWN, use_bin_type=True))
    elif mode == "repack":
        with open(sys.argv[2], "rb") as f_in, open(sys.argv[3], "wb") as f_out:
            unpacker = msgpack.Unpacker(f_in, raw=False, strict_map_key=False, use_list=True, max_buffer_size=2**31 - 1)
            for value in unpacker:
                f_out.write(msgpack.packb(value, use_bin_type=True))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
