-- Neovim 0.10+ detects .mmd already; this covers older runtimes and `.mermaid`.
vim.filetype.add({ extension = { mmd = "mermaid", mermaid = "mermaid" } })
