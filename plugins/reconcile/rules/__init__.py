"""Inspection rules under Social Insurance Law 41/2024: findings, cases, money at stake."""
