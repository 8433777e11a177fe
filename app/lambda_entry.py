"""Lambda's entry point (`lambda_handler` in zappa_settings.json): Zappa's handler, started faster.

Zappa's handler.py imports asyncio (for ASGI apps) and, through zappa/utilities.py, boto3 (for
S3-hosted settings and event sources) at module level. A Flask app on API Gateway uses neither
while it serves requests, yet a cold start pays for both: about 150 ms for boto3 and 60 ms for
asyncio here, a third of the whole start. So before the handler is imported, each of them is put
in `sys.modules` as a stand-in that imports the real module the first time anything is read from
it; code that does need it (a keep-warm event, `zappa invoke`) gets it then.

zappa/utilities.py also names `boto3.Session` in annotations, which Python evaluates when the
module loads; `ops/bytecode.py` compiles that module with postponed annotations (PEP 563) so the
names stay strings. The package check fails when a cold start loads a deferred module anyway.
"""

import importlib
import sys
import types

DEFERRED = ("boto3", "botocore", "asyncio")


class Deferred(types.ModuleType):
    """Stands in for a module until an attribute is read from it, then hands over to the real one.

    `__spec__` is None, as for `__main__`, so `import name` is satisfied without loading anything.
    """

    def __getattr__(self, attribute):
        return getattr(load(self.__name__), attribute)


def load(name: str) -> types.ModuleType:
    """Replace the stand-in in sys.modules with the real module and return it."""
    module = sys.modules.get(name)
    if isinstance(module, Deferred):
        del sys.modules[name]
        try:
            return importlib.import_module(name)
        except BaseException:
            sys.modules.setdefault(name, module)
            raise
    return module if module is not None else importlib.import_module(name)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    for name in names:
        sys.modules.setdefault(name, Deferred(name))


defer()

from handler import lambda_handler  # noqa: E402  Zappa's handler.py, at the package's root

__all__ = ["lambda_handler"]
