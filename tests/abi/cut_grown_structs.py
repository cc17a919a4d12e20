"""Cuts the options structs of an abidw description back to their baseline size.

Options structs begin with `uint32_t struct_size` and only ever grow at their
end (presend.h, "Conventions"): the library reads only the fields that fit in
the caller's struct_size, so a program built against an older header keeps
working. abidiff reports such growth as a change of every function that
takes the struct, and its suppressions cannot allow growth without also
hiding changes to the older members. So, before the comparison, each struct
of NEW that begins with struct_size and exists in BASELINE loses the data
members placed at or past the baseline's size, and takes the baseline's size.
Whatever else changed in it -- a member retyped, moved, removed, or inserted
before the old end (which pushes an old member past it) -- still differs from
the baseline, and abidiff reports it.

usage: cut_grown_structs.py BASELINE NEW OUTPUT
"""

import sys
import xml.etree.ElementTree as ET


def structs(root):
    """Defined (not declaration-only) structs by name."""
    found = {}
    for decl in root.iter("class-decl"):
        if decl.get("is-declaration-only") != "yes" and decl.get("size-in-bits"):
            found.setdefault(decl.get("name"), []).append(decl)
    return found


def members(decl):
    return [m for m in decl.findall("data-member") if m.find("var-decl") is not None]


def begins_with_struct_size(decl):
    ms = members(decl)
    return bool(ms) and ms[0].get("layout-offset-in-bits") == "0" and ms[0].find("var-decl").get("name") == "struct_size"


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.strip().splitlines()[-1])
    baseline = structs(ET.parse(argv[1]).getroot())
    tree = ET.parse(argv[2])
    for name, decls in structs(tree.getroot()).items():
        old = baseline.get(name)
        if not old or not begins_with_struct_size(old[0]):
            continue
        old_size = int(old[0].get("size-in-bits"))
        for decl in decls:
            if not begins_with_struct_size(decl) or int(decl.get("size-in-bits")) <= old_size:
                continue
            cut = [m for m in members(decl) if int(m.get("layout-offset-in-bits")) >= old_size]
            for m in cut:
                decl.remove(m)
            decl.set("size-in-bits", str(old_size))
            names = ", ".join(m.find("var-decl").get("name") for m in cut)
            print(f"abi: {name} grew from {old_size} bits; compared without its newer members ({names})")
    tree.write(argv[3], encoding="unicode")


if __name__ == "__main__":
    main(sys.argv)
