"""The powertrain facts a car is described by: fuel type, gearbox and aspiration.

Catalog variants, garage cars that are not in the catalog, maintenance rules and listing
fitment all use these codes (stored as their string values).
"""

import enum


class FuelType(enum.StrEnum):
    PETROL = "petrol"
    DIESEL = "diesel"
    HEV = "hev"
    PHEV = "phev"
    EREV = "erev"  # range-extended electric (增程): drives on electricity, engine only charges
    BEV = "bev"


class Transmission(enum.StrEnum):
    MT = "mt"
    AT = "at"
    CVT = "cvt"
    DCT = "dct"
    AMT = "amt"
    SINGLE_SPEED = "single_speed"


class Aspiration(enum.StrEnum):
    NA = "na"
    TURBO = "turbo"
    SUPERCHARGED = "supercharged"


WITH_ENGINE = frozenset(FuelType) - {FuelType.BEV}
"""Fuel types whose cars have a combustion engine (oil, spark plugs, displacement)."""
