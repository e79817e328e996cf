-- Attaches hexa lsp after require("hexa").setup() has run, so the module loads only then.
if vim.g.hexa_setup_done then
  require("hexa.lsp").attach(vim.api.nvim_get_current_buf())
end
