# -*- coding: utf-8 -*-
# Copyright (c) mailoauth-cfg developers
# MIT License (see https://opensource.org/licenses/MIT)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """Options, requirements and notes shared by the modules that read a config."""

    DOCUMENTATION = r"""
options:
  as_of:
    description:
      - Date used by date-dependent rules (client secret expiry, retirement deadlines), as
        C(YYYY-MM-DD).
      - Defaults to today on the host that runs the task. Pin it in CI for reproducible results.
    type: str
  allow_include_outside:
    description:
      - Allow C(include:) of files outside the directory tree of the config.
    type: bool
    default: false
requirements:
  - mailoauth-cfg >= 0.1.0 (Python package) on the host that runs the task
  - Python >= 3.11 on that host
notes:
  - Paths are paths on the host that runs the task. To keep configs and secrets on the
    controller, run the task with C(delegate_to=localhost).
"""
