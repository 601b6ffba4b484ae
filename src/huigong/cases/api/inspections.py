"""Inspection API: joint labour inspection campaigns, findings and rectification orders."""

from ninja import Router

router = Router()
