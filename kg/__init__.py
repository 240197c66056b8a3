"""wenxian-kg: knowledge graphs from archives of Chinese historical and political documents.

>>> from kg import BuildOptions, build  # doctest: +SKIP
>>> build(BuildOptions(inputs=(Path("examples"),), out=Path("output")))  # doctest: +SKIP
"""

from .errors import KgError, Problem, ReaderError
from .model import DateValue, Document, Facts, Record
from .pipeline import BuildOptions, build

__all__ = ["BuildOptions", "build", "KgError", "Problem", "ReaderError", "Record", "Facts",
           "Document", "DateValue"]
__version__ = "0.1.0"
