---hexa for Neovim: `require("hexa").setup({})` starts `hexa lsp` for Mermaid flowcharts,
---Markdown with mermaid fences and hexa notebooks, with `:HexaGenerate`, `:HexaRun` and `:HexaOpen`.

local M = {}

---Stores the options, defines the commands and attaches the server to loaded buffers.
---Buffers opened later attach from `ftplugin/{mermaid,markdown,python}.lua`.
---@param options? hexa.Options
function M.setup(options)
  require("hexa.config").apply(options)
  require("hexa.commands").create()
  vim.g.hexa_setup_done = true

  for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(bufnr) then
      require("hexa.lsp").attach(bufnr)
    end
  end
end

return M
