-- Neovim 0.12 detects .mmd already. This covers older runtimes and `.mermaid`.
vim.filetype.add({ extension = { mmd = "mermaid", mermaid = "mermaid" } })
