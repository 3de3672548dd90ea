// Vite's client types (import.meta.glob, import.meta.env, CSS imports) for everything under client/.
/// <reference types="vite/client" />
