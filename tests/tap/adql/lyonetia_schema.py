"""The catalogue the IVOA ADQL validation queries (ivoa/lyonetia) are translated against.

Those queries were written for parsers, not for one database, so this catalogue declares the tables and
columns they use with types that make each valid query meaningful.  Unqualified table names are looked up in
the schema ``test`` first (several queries use both ``t2`` and ``s1.t2``).  Two deliberate choices:
``ivoa.obscore.s_region`` is a POINT (ESO's queries take DISTANCE of it, which ADQL defines for points only;
ESO's 1-d spectra do have point footprints), and the user functions of the GAVO files that declare none
(``ivo_foo``, ``ivo_getstring``) are declared in :data:`EXTRA_UDFS`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from tap.adql.features import UserFunction, parse_signature
from tap.schema import Column, StaticCatalog, Table

__all__ = ["EXTRA_UDFS", "LyonetiaCatalog", "lyonetia_catalog"]

DEFAULT_SCHEMA: Final = "test"

#: type code -> (datatype, arraysize, xtype)
_TYPES: Final[dict[str, tuple[str, str | None, str | None]]] = {
    "i": ("int", None, None),
    "l": ("long", None, None),
    "d": ("double", None, None),
    "f": ("float", None, None),
    "s": ("char", "*", None),
    "ts": ("char", "*", "timestamp"),
    "pt": ("double", "2", "point"),
    "ci": ("double", "3", "circle"),
    "po": ("double", "*", "polygon"),
}

#: schema.table -> "column:type ..." (delimited names in double quotes may contain spaces: use | to separate)
_TABLES: Final[dict[str, str]] = {
    "test.stars": 'id:l|name:s|ra:d|dec:d|type:s|mag:d|radius:d|long:d|des:s|ra_error:d|"_weird_name":s|'
                  '"distance":d|favorite_name:s|star_name:s|pm_ra:d|pm_dec:d',
    "test.t1": "x:d|y:d|z:d|s:d|u:d|oid:l|id:l|something:d|name:l",
    "test.t2": "x:d|y:d|oid:l|name:l|foo:d",
    "test.t3": "x:d|y:d",
    "test.t4": "x:d|y:d",
    "test.t5": "y:d",
    "test.table1": "id:l|ra:d|dec:d",
    "test.table2": "id:l|ra:d|dec:d",
    "test.table3": "id:l|ra:d|dec:d",
    "test.atable": "id:l|ra:d|dec:d",
    "test.y": "x:d|z:d|v:d|u:s|k:d|a:d|y:d|\"some weird column\":d|\"some even \"\"weirder\"\" column\":d|"
              '"SELECT":d|ra:d|dec:d',
    "test.z": "a:d|b:d|x:d|\"one weird name\":d",
    "test.foo": "x:d|y:d|bar:d|quux:d",
    "test.bar": "foo:d|a:s",
    "test.x": "a:d|b:d|c:d|d:d|foo:d",
    "test.u": "a:d|b:d|c:d|d:d|foo:d",
    "z.x": "v:d",
    "test.n": "z:d",
    "test.q": "m:s",
    "test.a": "x:d",
    "test.b": "y:d",
    "test.c": "z:d",
    "test.d": "w:d",
    "test.most": "v:d",
    "test.anything": "a:d|b:d",
    "test.else3": "and7:d",
    "test.something": "x:d|y:d",
    "test.source": "ident:l|ra:d|dec:d",
    "test.atlassource": "ra:d|dec:d|rapermag3:d|cx:d|cy:d|cz:d",
    "test.atlasmergelog": "ra:d|dec:d|gmfid:l",
    "test.multiframe": "mjdobs:d|multiframeid:l",
    "test.t": "ra:d|dec:d",
    "test.spatial": "dist:d|width:d|height:d|ra1:d|ra2:d",
    "test.spatial2": "ra1:d|dec:d|dist:d",
    "test.misc": "mass:d|mag:d|speed:d",
    "test.crazy": "ct:d|wot:d|version:s|flag:s",
    "test.quoted": '"left-right":d|"plAin":d|"Inch""ing":d|"inch""ing":d|alllower:d',
    "test.nons-ak": '"f-bar":d|"c""ho":d|"ja ja":d|"Umph":d',
    "test.abc-g": "x:d",
    "test.select": "y:d",
    "s1.t2": "v:d",
    "s2.t3": "w:d",
    "urks.a": "p:d",
    "monk.d": "q:d",
    "amanda.nucand": "e:d",
    "ppmx.data": "alphafloat:d|deltafloat:d",
    "Murks Schema.Murks Tabelle": "m:d",
    "tap_upload.abc": "c:d",
    "tap_upload.adql": "alpha:d|rv:d",
    "tap_upload.user_table": "ra:d|ra2000:d|dec2000:d",
    "tap_upload.my_stars": "ra:d|dec:d",
    "tap_schema.tables": "schema_name:s|table_name:s|table_type:s|description:s|utype:s|table_index:i",
    "tap_schema.columns": "table_name:s|column_name:s|datatype:s|arraysize:s|xtype:s|unit:s|ucd:s|utype:s|"
                          'description:s|"size":i|indexed:i|principal:i|std:i|column_index:i',
    "ivoa.obscore": "dataproduct_type:s|dataproduct_subtype:s|obs_collection:s|obs_id:s|obs_publisher_did:s|"
                    "dp_id:s|target_name:s|instrument_name:s|facility_name:s|filter:s|s_ra:d|s_dec:d|"
                    "s_region:pt|s_resolution:d|t_min:d|t_max:d|t_exptime:d|em_min:d|em_max:d|em_res_power:d|"
                    "abmaglim:d|snr:d|access_estsize:l|gal_lat:d|gal_lon:d",
    "dbo.raw": "dp_id:s|prog_id:s|instrument:s|dp_cat:s|dp_tech:s|dp_type:s|exp_start:ts",
    "asm.mass_paranal": "start_date:ts|turbfwhm:d|tet:d",
    "asm.lhatpros_paranal_profiles": "start_date:ts|midpoint_date:ts|ra:d|dec:d|alt:d|az:d|valid:i",
    "phase3v2.provenance": "product_file:l|source_file:s",
    "phase3v2.files": "file_id:l|archive_id:s|category:s|name:s",
}  # fmt: skip

#: User functions that GAVO's query files call without declaring them.
EXTRA_UDFS: Final[tuple[UserFunction, ...]] = (
    parse_signature("ivo_foo(x VARCHAR) -> VARCHAR", "a placeholder function of the GAVO tests"),
    parse_signature("ivo_getstring() -> VARCHAR", "a placeholder function of the GAVO tests"),
)


def _column(spec: str) -> Column:
    name, _, code = spec.rpartition(":")
    if name.startswith('"'):
        name = name[1:-1].replace('""', '"')
    datatype, arraysize, xtype = _TYPES[code]
    return Column(name, datatype, arraysize, xtype)


def _tables() -> Iterator[Table]:
    for qualified, columns in _TABLES.items():
        schema, _, name = qualified.partition(".")
        position = ("ra", "dec") if name in ("stars", "atable", "source") else None
        yield Table(schema, name, tuple(_column(c) for c in columns.split("|")), position=position)


class LyonetiaCatalog(StaticCatalog):
    """A catalogue whose unqualified table names are looked up in :data:`DEFAULT_SCHEMA` first."""

    def table(self, schema: str | None, name: str) -> Table | None:
        if schema is None:
            found = super().table(DEFAULT_SCHEMA, name)
            if found is not None:
                return found
        return super().table(schema, name)


def lyonetia_catalog() -> LyonetiaCatalog:
    return LyonetiaCatalog(_tables())
