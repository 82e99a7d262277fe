"""Start the page's Streamlit server with the engine's kernels loaded first.

Usage:  python deploy/launch.py [streamlit options...]
        (what `make run` and deploy/serve.sh run: `streamlit run app.py`
        with the options given)

The engine's compiled kernels are compiled into their disk cache on a fresh
installation, and loaded into this process, before the server listens: the
first visitor's first result does not wait for numba and LLVM to start.
(`streamlit run app.py` alone, as Community Cloud starts it, loads them when
the first page is drawn.)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402

if __name__ == "__main__":
    print(f"kseg: kernels ready in {kseg.warm_up():.1f} s", flush=True)
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(ROOT / "app.py"), *sys.argv[1:]]
    sys.exit(cli.main())
