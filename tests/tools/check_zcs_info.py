#!/usr/bin/env python3
"""Run zcs-info and check what it says: its --json output against
docs/zcs-info.schema.json, its text output, its options' exit statuses and messages,
and the status when there is no driver (docs/zcs-info.md).

    check_zcs_info.py CASE ZCS_INFO SCHEMA BACKEND
    CASE: json | text | options | no_driver; BACKEND: OPENCL | VULKAN
Exit status 0 on success, 1 on a failed check, 77 (skip) without python3-jsonschema.
"""
import json
import os
import subprocess
import sys


def run(zcs_info, args, env=None):
    result = subprocess.run([zcs_info] + args, capture_output=True, text=True, env=env,
                            timeout=240)
    return result.returncode, result.stdout, result.stderr


def expect(condition, what):
    if not condition:
        print("FAILED: " + what)
        sys.exit(1)


def validate(document, schema):
    try:
        import jsonschema
    except ImportError:
        print("SKIP: python3-jsonschema is not installed (Debian: python3-jsonschema)")
        sys.exit(77)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)


def check_json(zcs_info, schema, backend):
    status, out, err = run(zcs_info, ["--json"])
    expect(status == 0, "zcs-info --json exits 0 (got %d: %s)" % (status, err))
    document = json.loads(out)
    validate(document, schema)
    expect(document["backend"] == backend, "backend is " + backend)
    devices = document["devices"]
    expect(len(devices) >= 1, "at least one device")
    expect([d["index"] for d in devices] == list(range(len(devices))), "indices 0 to n-1")
    expect(sum(1 for d in devices if d["default"]) == 1, "exactly one default device")
    usable = [d for d in devices if d["usable"]]
    expect(usable, "a usable device")
    for d in usable:
        expect(d["tier"] in d["tiers"], "the chosen tier is offered")
        expect(d["tier"] in d["tier_reason"], "the reason names the tier")
        expect(d["validation"]["mode_available"], "validation mode is available")
        expect(d["validation"]["layer_available"] == (backend == "Vulkan"),
               "the validation layer is installed for the Vulkan tests, and none on OpenCL")
        expect(d["limits"]["max_alloc_size"] > 0, "a maximum allocation")
        expect(d["limits"]["max_work_group_size"] > 0, "a maximum work-group size")
        expect(d["alignment"] & (d["alignment"] - 1) == 0, "alignment is a power of two")
        if backend == "OpenCL":
            expect("host_ptr" in d["tiers"], "OpenCL always offers host_ptr")
            expect("staged" in d["tiers"], "OpenCL always offers staged")
            expect(d["limits"]["compute_units"] > 0, "OpenCL reports compute units")
        else:
            expect(d["tiers"] == ["vulkan_mapped", "staged"],
                   "Vulkan offers vulkan_mapped and staged")
    # One device by index, by "#index" and by name: the same description.
    first = usable[0]
    for selector in [str(first["index"]), "#%d" % first["index"], first["name"]]:
        status, out, err = run(zcs_info, ["--json", "--device", selector])
        expect(status == 0, "--device %s exits 0 (got %d: %s)" % (selector, status, err))
        one = json.loads(out)
        validate(one, schema)
        expect(one["devices"] == [first], "--device %s describes device %d" %
               (selector, first["index"]))


def check_text(zcs_info, backend):
    status, out, err = run(zcs_info, [])
    expect(status == 0, "zcs-info exits 0 (got %d: %s)" % (status, err))
    expect(out.startswith("zcs "), "the first line names zcs")
    expect((backend + " backend") in out, "the first line names the backend")
    for label in ["Device 0:", "Tiers offered", "Tier zcs picks", "Why", "Max allocation",
                  "Max work-group size", "Local memory", "Validation mode"]:
        expect(label in out, "the text shows " + label)
    status, out, err = run(zcs_info, ["--list"])
    expect(status == 0, "--list exits 0")
    lines = out.splitlines()
    expect(len(lines) >= 1 and lines[0].startswith("0"), "--list: one line per device")
    expect(sum(1 for line in lines if line.split(" ")[0].endswith("*")) == 1,
           "--list marks the default device with *")
    status, out, err = run(zcs_info, ["--help"])
    expect(status == 0 and out.startswith("usage: zcs-info"), "--help prints the usage")
    status, out, err = run(zcs_info, ["--version"])
    expect(status == 0 and out.startswith("zcs-info (zcs) "), "--version prints the version")


def check_options(zcs_info):
    cases = [
        (["--bogus"], "unknown option '--bogus'"),
        (["--device"], "--device needs a device index or name"),
        (["--device", ""], "--device needs a device index or name"),
        (["--device", "0", "--device", "0"], "--device given twice"),
        (["--device", "4000000"], "--device 4000000: no such device"),
        (["--device", "#4000000"], "--device #4000000: no such device"),
        (["--device", "no-such-device-anywhere"], "no-such-device-anywhere"),
    ]
    for args, message in cases:
        status, out, err = run(zcs_info, args)
        expect(status == 2, "%s exits 2 (got %d)" % (" ".join(args), status))
        expect(message in err, "%s says %r (said %r)" % (" ".join(args), message, err))
        expect(err.startswith("zcs-info: "), "messages start with the program's name")


def check_no_driver(zcs_info, schema, backend):
    env = dict(os.environ)
    # No ICD at all: the loader finds no driver.
    env["OCL_ICD_VENDORS"] = "/nonexistent"
    env["OCL_ICD_FILENAMES"] = "/nonexistent/libnone.so"
    env["VK_ICD_FILENAMES"] = "/nonexistent/none.json"
    env["VK_DRIVER_FILES"] = "/nonexistent/none.json"
    status, out, err = run(zcs_info, [], env)
    expect(status == 3, "no driver exits 3 (got %d: %s)" % (status, err))
    expect("ZCS_ERROR_NO_DEVICE" in err, "the message names the status")
    hint = "pocl-opencl-icd" if backend == "OpenCL" else "mesa-vulkan-drivers"
    expect(hint in err, "the message says what to install (%s): %r" % (hint, err))
    status, out, err = run(zcs_info, ["--json"], env)
    expect(status == 3, "no driver with --json exits 3")
    document = json.loads(out)
    validate(document, schema)
    expect(document["devices"] == [], "no devices")
    expect(document["error"]["status"] == "ZCS_ERROR_NO_DEVICE", "the error's status")


def main():
    case, zcs_info, schema_path, backend = sys.argv[1:5]
    backend = {"OPENCL": "OpenCL", "VULKAN": "Vulkan"}[backend]
    with open(schema_path, encoding="utf-8") as schema_file:
        schema = json.load(schema_file)
    if case == "json":
        check_json(zcs_info, schema, backend)
    elif case == "text":
        check_text(zcs_info, backend)
    elif case == "options":
        check_options(zcs_info)
    elif case == "no_driver":
        check_no_driver(zcs_info, schema, backend)
    else:
        expect(False, "known case " + case)
    print("passed: " + case)


if __name__ == "__main__":
    main()
