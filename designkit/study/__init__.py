"""designkit.study"""
