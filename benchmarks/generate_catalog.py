"""Write a catalogue of N procedures in the exchange format, built from the
demo catalogue's procedures (new codes and names, same shapes and sizes).

    python benchmarks/generate_catalog.py 2000 /tmp/catalog-2000.json
"""
import copy
import json
import sys
from pathlib import Path

DEMO = Path(__file__).resolve().parents[1] / "src" / "congdichvu" / "data" / "demo-catalog.json"


def generate(count):
    demo = json.loads(DEMO.read_text(encoding="utf-8"))
    procedures = []
    for index in range(count):
        procedure = copy.deepcopy(demo["procedures"][index % len(demo["procedures"])])
        procedure["code"] = f"3.{index + 1:06d}"
        procedure["name"] = f"{procedure['name']} (bản thử số {index + 1})"
        procedures.append(procedure)
    demo["procedures"] = procedures
    demo["note"] = f"Danh mục sinh tự động: {count} thủ tục, để đo hiệu năng."
    return demo


def main(argv=None):
    argv = argv or sys.argv[1:]
    count, target = int(argv[0]), Path(argv[1])
    target.write_text(json.dumps(generate(count), ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"{count} procedures written to {target}")


if __name__ == "__main__":
    main()
