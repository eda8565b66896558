"""A ready-to-run Python script that makes a product again through the service's client, and checks it.

The script submits the same analysis with the same (normalised) parameters, waits, downloads the product's
main file and compares its data checksum (``vo_service.products.records.data_checksum``: FITS data units, not
headers) with the original's, printing whether they are identical.  It takes the service's URL as its first
argument, so the same script reproduces a product on another deployment.  Every value from the manifest
enters the script as a Python literal (``repr``), never as code or docstring text: titles and parameters
carry users' free text.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["reproduce_script", "wire_parameters"]


def _wire(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ",".join(str(v) for v in value) or None
    return str(value)


def wire_parameters(parameters: Mapping[str, Any]) -> dict[str, str]:
    """The parameters as a job list takes them (text; lists comma-separated; unset ones left out)."""
    return {name: text for name, value in parameters.items() if (text := _wire(value)) is not None}


def reproduce_script(manifest: Mapping[str, Any], *, service_url: str) -> str:
    """The script for the product ``manifest`` describes, made by the service at ``service_url``."""
    activity = manifest["activity"]
    instrument, product = str(activity["analysis"]).split("/", 1)
    main = manifest["files"][0]
    parameters = wire_parameters(activity["parameters"])
    lines = ",\n".join(f"    {name!r}: {value!r}" for name, value in sorted(parameters.items()))
    return f'''"""Makes an MMVO product again and checks that its data are the same (see PRODUCT and TITLE).

Usage: python reproduce.py [SERVICE_URL]   (needs the MMVO client: the mmvo package)
"""

import sys
from pathlib import Path

from vo_service.client import MMVOClient
from vo_service.products.records import data_checksum

PRODUCT = {str(manifest["product_id"])!r}
TITLE = {str(manifest["title"])!r}
MADE_BY = {f"job {activity['job_id']} ({activity['analysis']}, code {activity['code_version']}) on {activity['finished']}"!r}
SERVICE = sys.argv[1] if len(sys.argv) > 1 else {service_url!r}
PARAMETERS = {{
{lines},
}}
RESULT = {str(main["result_id"])!r}
EXPECTED = {str(main["data_checksum"])!r}

with MMVOClient(SERVICE) as mmvo:
    job = mmvo.submit({instrument!r}, {product!r}, PARAMETERS)
    job.wait(on_progress=lambda status: print(status, file=sys.stderr))
    output = Path({Path(str(main["name"])).name!r})
    output.write_bytes(job.fetch(RESULT).content)

checksum = data_checksum(output, {str(main["content_type"])!r})
print(f"{{output}}: data {{checksum}}")
print("identical data" if checksum == EXPECTED else f"different data: the original has {{EXPECTED}}")
sys.exit(0 if checksum == EXPECTED else 1)
'''
