"""``python -m svckit.together``: run the services ``REGISTRY_TOGETHER`` names in this process.

A package's ``__main__`` rather than a module run as a script: multiprocessing's spawned children (the catalog's
pattern checker) then do not import it again as their main module, with everything it imports.
"""

from svckit.together import main

if __name__ == "__main__":
    main()
