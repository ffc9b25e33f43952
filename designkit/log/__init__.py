"""designkit.log"""
