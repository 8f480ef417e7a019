"""Submissions: the one door every department's data comes through (stage → map → validate → commit | reject)."""
